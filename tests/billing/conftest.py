"""Billing fixtures: the real `stripe` library talking to a local stand-in for Stripe's API, signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta
from itertools import count

import pytest
from sqlalchemy import select

from saas.billing.models import StripeCustomer, StripeEvent, Subscription
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import cross_tenant_scope, tenant_scope
from saas.core.tenant import Tenant
from tests.factories import log_in

WEBHOOK_SECRET = "whsec_test_workbay"
PRICES = {
    "STRIPE_PRICE_STARTER_MONTHLY": "price_starter_month",
    "STRIPE_PRICE_STARTER_YEARLY": "price_starter_year",
    "STRIPE_PRICE_PRO_MONTHLY": "price_pro_month",
    "STRIPE_PRICE_PRO_YEARLY": "price_pro_year",
    "STRIPE_PRICE_ENTERPRISE_MONTHLY": "price_enterprise_month",
    "STRIPE_PRICE_ENTERPRISE_YEARLY": "price_enterprise_year",
}
_events = count(1)


def stripe_settings(api_base: str) -> dict:
    """Config that switches billing on against `api_base`."""
    return {
        "STRIPE_SECRET_KEY": "sk_test_workbay",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": api_base,
        "STRIPE_MAX_NETWORK_RETRIES": 0,
        **PRICES,
    }


@pytest.fixture
def configure(app):
    """`configure(**settings)` changes the (session-wide) app's config for this test only."""
    saved: dict = {}

    def apply(**settings):
        for key, value in settings.items():
            saved.setdefault(key, app.config.get(key, _MISSING))
            app.config[key] = value

    yield apply
    for key, value in saved.items():
        if value is _MISSING:
            app.config.pop(key, None)
        else:
            app.config[key] = value


_MISSING = object()


@pytest.fixture
def stripe_api(httpserver, configure):
    """The stand-in for api.stripe.com (pytest-httpserver), with billing switched on against it."""
    configure(**stripe_settings(httpserver.url_for("").rstrip("/")))
    yield httpserver
    httpserver.clear()


def stripe_list(data: list, url: str) -> dict:
    return {"object": "list", "data": data, "has_more": False, "url": url}


def subscription_object(
    status: str = "active",
    *,
    sub_id: str = "sub_alpha",
    customer: str = "cus_alpha",
    price: str = "price_pro_month",
    quantity: int = 1,
    period_end: int | None = None,
    cancel_at_period_end: bool = False,
    trial_end: int | None = None,
) -> dict:
    """A Stripe subscription as the API sends it (the fields we read)."""
    period_end = period_end or int((utcnow() + timedelta(days=30)).timestamp())
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "trial_end": trial_end,
        "items": stripe_list(
            [
                {
                    "id": f"si_{sub_id}",
                    "object": "subscription_item",
                    "price": {"id": price, "object": "price"},
                    "quantity": quantity,
                    "current_period_end": period_end,
                }
            ],
            f"/v1/subscription_items?subscription={sub_id}",
        ),
    }


def invoice_object(customer: str = "cus_alpha", sub_id: str = "sub_alpha", invoice_id: str = "in_1") -> dict:
    return {
        "id": invoice_id,
        "object": "invoice",
        "customer": customer,
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": sub_id}},
        "hosted_invoice_url": f"https://invoice.stripe.test/{invoice_id}",
        "invoice_pdf": f"https://pay.stripe.test/{invoice_id}.pdf",
        "total": 7900,
        "currency": "usd",
        "status": "open",
        "created": int(time.time()),
    }


def make_event(kind: str, obj: dict, created: int | None = None, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_test_{next(_events)}",
        "object": "event",
        "type": kind,
        "created": created if created is not None else int(time.time()),
        "data": {"object": obj},
        "livemode": False,
    }


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header, built the way Stripe builds it."""
    timestamp = timestamp or int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@pytest.fixture
def deliver(client, stripe_api):
    """`deliver(event)` posts a signed event to the webhook endpoint on the public host."""

    def post(event: dict, signature: str | None = None):
        payload = json.dumps(event)
        headers = {"Content-Type": "application/json"}
        headers["Stripe-Signature"] = signature if signature is not None else sign(payload)
        return client.post("/stripe/webhook", data=payload, headers=headers)

    return post


class BillingState:
    """Reads and sets up the billing rows of a shop, as the database has them."""

    def __init__(self, app):
        self.app = app

    def link(self, tenant_id: int, customer: str, **values) -> None:
        """The shop is a Stripe customer (as if it had opened Checkout once)."""
        with self.app.test_request_context(), tenant_scope(tenant_id):
            db.session.add(StripeCustomer(stripe_customer_id=customer, shop_id=tenant_id))
            fields = {"status": "none", "quantity": 1, "state_at": 0, "cancel_at_period_end": False, **values}
            db.session.add(Subscription(stripe_customer_id=customer, **fields))
            db.session.commit()

    def subscription(self, tenant_id: int) -> dict | None:
        with self.app.test_request_context(), tenant_scope(tenant_id):
            row = db.session.scalar(select(Subscription))
            tenant = db.session.get(Tenant, tenant_id)
            if row is None:
                return {"tenant_status": tenant.status}
            return {
                "status": row.status,
                "plan": row.plan,
                "interval": row.interval,
                "subscription": row.stripe_subscription_id,
                "customer": row.stripe_customer_id,
                "quantity": row.quantity,
                "checkout_session": row.checkout_session_id,
                "past_due_since": row.past_due_since,
                "cancel_at_period_end": row.cancel_at_period_end,
                "tenant_status": tenant.status,
            }

    def events(self) -> list[tuple[str, str]]:
        with self.app.test_request_context(), cross_tenant_scope("test"):
            return [(e.id, e.outcome) for e in db.session.scalars(select(StripeEvent).order_by(StripeEvent.id))]

    def customers(self) -> dict[str, int]:
        with self.app.test_request_context(), cross_tenant_scope("test"):
            return {c.stripe_customer_id: c.shop_id for c in db.session.scalars(select(StripeCustomer))}

    def end_trial(self, tenant_id: int) -> None:
        with self.app.test_request_context(), tenant_scope(tenant_id):
            db.session.get(Tenant, tenant_id).trial_ends_at = utcnow() - timedelta(hours=1)
            db.session.commit()

    def set_past_due_since(self, tenant_id: int, when) -> None:
        with self.app.test_request_context(), tenant_scope(tenant_id):
            db.session.scalar(select(Subscription)).past_due_since = when
            db.session.commit()

    def set_plan(self, tenant_id: int, plan: str, status: str = "active") -> None:
        from saas.billing.access import admin_set_plan

        with self.app.test_request_context():
            admin_set_plan(tenant_id, plan, status)
            db.session.commit()


@pytest.fixture
def billing(app) -> BillingState:
    return BillingState(app)


@pytest.fixture
def alpha(factory):
    return factory.tenant("alpha")


@pytest.fixture
def bravo(factory):
    return factory.tenant("bravo")


@pytest.fixture
def alpha_owner(shop_client, alpha):
    client = shop_client("alpha")
    log_in(client, "owner@alpha.example.com")
    return client
