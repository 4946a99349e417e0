"""Privacy requests in tests: asking on the center, the mailed link, requests made as a shop would make them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from saas.audit.models import AccessLogEntry
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.customers.models import Customer
from saas.customers.services import set_marketing_consent
from saas.privacy import requests
from saas.privacy.request_models import PrivacyRequest, PrivacyRequestCustomer, PrivacyRequestEvent
from tests.factories import Ref

ADA = "ada@example.com"  # the address of `ada`, acme's customer (tests/privacy/conftest.py)


def ago(days: int) -> datetime:
    """`days` before now (a request received then is urgent at 27 days, overdue at 32, on any day)."""
    return utcnow() - timedelta(days=days)


def ask(client, kind: str = "access", email: str = "ada@example.com", details: str = ""):
    """Make a request on the client's shop's privacy center (the form's POST)."""
    return client.post("/privacy", data={"kind": kind, "email": email, "details": details})


def make_request(
    app,
    shop: Ref,
    kind: str = "access",
    email: str = "ada@example.com",
    *,
    when: datetime | None = None,
    verify: bool = True,
    details: str = "",
) -> int:
    """A request of `shop` received at `when` (default now), confirmed unless `verify` is False; its id."""
    with app.test_request_context(), tenant_scope(shop.tenant_id):
        requests.submit_request(kind, email, details, now=when)
        request = db.session.scalar(select(PrivacyRequest).order_by(PrivacyRequest.id.desc()).limit(1))
        if verify:
            requests.verify_request(request)
        db.session.commit()
        return request.id


def load(app, tenant_id: int, request_id: int) -> PrivacyRequest:
    """A request as stored now (detached; its columns are loaded)."""
    with app.test_request_context(), tenant_scope(tenant_id):
        request = db.session.get(PrivacyRequest, (tenant_id, request_id))
        db.session.expunge(request)
        return request


def event_actions(app, tenant_id: int, request_id: int) -> list[str]:
    """The actions of a request's history, in order."""
    with app.test_request_context(), tenant_scope(tenant_id):
        return list(
            db.session.scalars(
                select(PrivacyRequestEvent.action)
                .where(PrivacyRequestEvent.request_id == request_id)
                .order_by(PrivacyRequestEvent.id)
            )
        )


def stored(app, tenant_id: int) -> list[PrivacyRequest]:
    """A shop's requests as stored now, oldest first."""
    with app.test_request_context(), tenant_scope(tenant_id):
        rows = db.session.scalars(select(PrivacyRequest).order_by(PrivacyRequest.id)).all()
        db.session.expunge_all()
        return rows


def matched_customers(app, tenant_id: int, request_id: int) -> list[int]:
    """The ids of the customers a request was matched to."""
    with app.test_request_context(), tenant_scope(tenant_id):
        return list(
            db.session.scalars(
                select(PrivacyRequestCustomer.customer_id)
                .where(PrivacyRequestCustomer.request_id == request_id)
                .order_by(PrivacyRequestCustomer.customer_id)
            )
        )


def customer_row(app, tenant_id: int, customer_id: int) -> Customer:
    """A customer as stored now (detached)."""
    with app.test_request_context(), tenant_scope(tenant_id):
        customer = db.session.get(Customer, (tenant_id, customer_id))
        db.session.expunge(customer)
        return customer


def give_marketing_consent(app, tenant_id: int, customer_id: int) -> None:
    """The customer agrees to marketing (at the counter)."""
    with app.test_request_context(), tenant_scope(tenant_id):
        set_marketing_consent(db.session.get(Customer, (tenant_id, customer_id)), True, "counter")
        db.session.commit()


def access_log(app, tenant_id: int) -> list[tuple[str, str, int, str]]:
    """A shop's access log: (action, subject type, subject id, description), oldest first."""
    with app.test_request_context(), tenant_scope(tenant_id):
        return [
            (entry.action, entry.subject_type, entry.subject_id, entry.description)
            for entry in db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id))
        ]
