"""Billing fixtures: the real `stripe` library talking to a local stand-in for Stripe's API, signed webhooks."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from saas.billing.models import StripeCustomer, StripeEvent, Subscription
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import cross_tenant_scope, tenant_scope
from saas.core.tenant import Tenant
from tests.billing.helpers import (
    sign,
    stripe_settings,
)
from tests.factories import log_in


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
    """Shop alpha, the billing tests' own shop (its owner is owner@alpha.example.com)."""
    return factory.tenant("alpha")


@pytest.fixture
def bravo(other_shop):
    """Shop bravo (the shared `other_shop`)."""
    return other_shop


@pytest.fixture
def alpha_owner(shop_client, alpha):
    client = shop_client("alpha")
    log_in(client, "owner@alpha.example.com")
    return client
