"""The owner's billing page, Stripe Checkout to subscribe, and the Customer Portal to manage it.

Stripe is reached through `stripe_gateway`; its failures are `StripeUnavailable` (503).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import url_for

from saas.auth.models import User
from saas.billing import stripe_gateway as gateway
from saas.billing.access import LIVE, RUNNING, Access, access_for, effective_plan, ensure_subscription, get_subscription
from saas.billing.errors import BillingError
from saas.billing.models import StripeCustomer, Subscription, SubscriptionStatus
from saas.billing.plans import Plan, get_plan
from saas.billing.seats import seats_used
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import active_tenant
from saas.core.tenant import Tenant, TenantStatus

log = logging.getLogger(__name__)


# --- the billing page --------------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """What the billing page shows."""

    tenant: Tenant
    subscription: Subscription
    plan: Plan
    access: Access
    seats_used: int
    next_invoice_at: datetime | None
    next_invoice_amount: Decimal | None
    invoices: list[dict]
    invoices_error: str | None
    enabled: bool


def overview() -> Overview:
    """The current shop's billing page, with its Stripe invoices when Stripe answers."""
    tenant = active_tenant()
    subscription = ensure_subscription()
    plan = effective_plan(subscription)
    invoices: list[dict] = []
    invoices_error = None
    if gateway.enabled() and subscription.stripe_customer_id:
        try:
            invoices = gateway.list_invoices(subscription.stripe_customer_id)
        except gateway.StripeUnavailable as error:
            invoices_error = str(error).replace("Nothing was changed; please", "Please")
    next_at = next_amount = None
    renews = subscription.status in RUNNING and not subscription.cancel_at_period_end
    if subscription.stripe_subscription_id and renews:
        next_at = subscription.current_period_end
        if subscription.plan and get_plan(subscription.plan):
            unit = plan.yearly if subscription.interval == "year" else plan.monthly
            next_amount = unit * (subscription.quantity or 1)
    return Overview(
        tenant,
        subscription,
        plan,
        access_for(tenant, subscription),
        seats_used(),
        next_at,
        next_amount,
        invoices,
        invoices_error,
        gateway.enabled(),
    )


# --- Checkout and the Customer Portal ----------------------------------------------------


def _ensure_customer(tenant: Tenant, subscription: Subscription, email: str | None) -> str:
    if subscription.stripe_customer_id:
        return subscription.stripe_customer_id
    customer_id = gateway.create_customer(tenant.id, tenant.name, tenant.email or email)
    subscription.stripe_customer_id = customer_id
    db.session.add(StripeCustomer(stripe_customer_id=customer_id, shop_id=tenant.id))
    db.session.flush()
    return customer_id


def _require_online_payment() -> None:
    if not gateway.enabled():
        raise BillingError("Online payment is not switched on for this Workbay installation.")


def start_checkout(owner: User, plan_key: str, interval: str) -> str:
    """Create a Checkout session for `plan_key`/`interval`; return the URL to send the owner to."""
    _require_online_payment()
    plan = get_plan(plan_key)
    if plan is None or interval not in ("month", "year"):
        raise BillingError("Choose one of the plans shown.")
    price_id = plan.price_id(interval)
    if not price_id:
        raise BillingError(f"The {plan.name} plan cannot be bought online yet. Please contact Workbay.")
    tenant = active_tenant()
    subscription = ensure_subscription()
    if subscription.stripe_subscription_id and subscription.status in LIVE:
        raise BillingError("You already have a subscription. Use “Manage billing” to change your plan or card.")
    seats = seats_used()
    if plan.staff_seats is not None and seats > plan.staff_seats:
        raise BillingError(
            f"The {plan.name} plan allows {plan.staff_seats} staff and your shop has {seats} (with open "
            "invitations). Choose a bigger plan, or remove staff first."
        )
    customer_id = _ensure_customer(tenant, subscription, owner.email)
    trial_end = None
    # Keep the rest of the free trial (Stripe needs a trial end at least two days ahead).
    trial_left = tenant.trial_ends_at is not None and tenant.trial_ends_at > utcnow() + timedelta(days=2)
    if tenant.status == TenantStatus.TRIALING and trial_left:
        trial_end = int(tenant.trial_ends_at.timestamp())
    session = gateway.create_checkout_session(
        customer_id=customer_id,
        price_id=price_id,
        quantity=max(1, seats) if plan.per_seat else 1,
        tenant_id=tenant.id,
        success_url=url_for("billing.index", checkout="done", _external=True),
        cancel_url=url_for("billing.index", checkout="cancelled", _external=True),
        trial_end=trial_end,
    )
    subscription.checkout_session_id = session.id
    db.session.flush()
    log.info("billing: checkout session %s for shop %s (%s/%s)", session.id, tenant.id, plan.key, interval)
    return session.url


def portal_url() -> str:
    """A Customer Portal session URL for the current shop."""
    _require_online_payment()
    subscription = get_subscription()
    if subscription is None or not subscription.stripe_customer_id:
        raise BillingError("Subscribe to a plan first; then you can manage your card and invoices here.")
    return gateway.create_portal_session(subscription.stripe_customer_id, url_for("billing.index", _external=True))


def cancel_for_deletion() -> str | None:
    """Cancel the current shop's Stripe subscription at once, because the shop is being deleted.

    Returns the id cancelled, or None when there is nothing to cancel (billing off, never subscribed,
    already over for good). Stripe unreachable: `StripeUnavailable`, so nothing is deleted before it is.
    """
    subscription = get_subscription()
    if not gateway.enabled() or subscription is None or not subscription.stripe_subscription_id:
        return None
    if subscription.status in (SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE_EXPIRED):
        return None  # final states in Stripe: nothing can charge the card again
    gateway.cancel_subscription(subscription.stripe_subscription_id)
    log.info(
        "billing: subscription %s of shop %s cancelled", subscription.stripe_subscription_id, subscription.tenant_id
    )
    return subscription.stripe_subscription_id
