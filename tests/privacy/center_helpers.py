"""Privacy requests in tests: asking on the center, the mailed link, requests made as a shop would make them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.privacy import requests
from saas.privacy.request_models import PrivacyRequest, PrivacyRequestEvent
from tests.factories import Ref


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
