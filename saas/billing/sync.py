"""How Stripe's state becomes ours: subscription objects and invoice events (from webhooks), in
order, and `flask billing sync`'s repair of drift. The tenant's coarse status follows.

Each function works on the active shop (webhooks run inside `tenant_scope(shop)`), flushes and
never commits. An object older than what is stored changes nothing.
"""

from __future__ import annotations

from saas.billing import stripe_gateway as gateway
from saas.billing.access import LIVE, RUNNING, access_for, ensure_subscription, get_subscription, grace_days
from saas.billing.models import Subscription
from saas.billing.models import SubscriptionStatus as S
from saas.billing.notices import mail_owners
from saas.billing.plans import plan_for_price
from saas.billing.seats import match_seat_quantity
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import active_tenant, active_tenant_id
from saas.core.tenant import Tenant, TenantStatus

STRIPE_TO_TENANT = {
    S.TRIALING: TenantStatus.TRIALING,
    S.ACTIVE: TenantStatus.ACTIVE,
    S.PAST_DUE: TenantStatus.PAST_DUE,
    S.UNPAID: TenantStatus.READ_ONLY,
    S.PAUSED: TenantStatus.READ_ONLY,
    S.CANCELED: TenantStatus.CANCELED,
    S.INCOMPLETE_EXPIRED: TenantStatus.CANCELED,
}


def sync_tenant_status(tenant: Tenant, subscription: Subscription) -> None:
    """Make the tenant's coarse status follow the subscription (and the grace period)."""
    status = STRIPE_TO_TENANT.get(subscription.status)
    if status is None:
        return
    if status == TenantStatus.PAST_DUE and access_for(tenant, subscription).read_only:
        status = TenantStatus.READ_ONLY
    tenant.status = status


def apply_subscription(obj: dict, created: int) -> str:
    """Copy a Stripe subscription object (as of `created`) into the current shop's row.

    An object older than what is stored changes nothing, so events arriving out of order
    cannot roll the state back.
    """
    subscription = ensure_subscription()
    if created < subscription.state_at:
        return f"stale: {obj.get('status')} from {created} is older than {subscription.state_at}"
    status = obj.get("status") or S.INCOMPLETE
    if (
        subscription.stripe_subscription_id
        and subscription.stripe_subscription_id != obj.get("id")
        and subscription.status in LIVE
        and status not in LIVE
    ):
        return f"ignored: {obj.get('id')} is not the shop's current subscription"
    item = gateway.first_item(obj)
    price_id = (item.get("price") or {}).get("id")
    subscription.stripe_subscription_id = obj.get("id")
    subscription.status = status
    subscription.stripe_price_id = price_id or subscription.stripe_price_id
    known = plan_for_price(price_id)
    if known:
        subscription.plan, subscription.interval = known[0].key, known[1]
    subscription.quantity = int(item.get("quantity") or obj.get("quantity") or 1)
    subscription.current_period_end = gateway.from_epoch(
        item.get("current_period_end") or obj.get("current_period_end")
    )
    subscription.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    if status == S.PAST_DUE:
        subscription.past_due_since = subscription.past_due_since or gateway.from_epoch(created)
    else:
        subscription.past_due_since = None
    if status != S.INCOMPLETE:
        subscription.action_url = None
    subscription.state_at = created
    subscription.synced_at = utcnow()
    tenant = active_tenant()
    if status == S.TRIALING and obj.get("trial_end"):
        tenant.trial_ends_at = gateway.from_epoch(obj["trial_end"])
    sync_tenant_status(tenant, subscription)
    db.session.flush()
    return f"subscription {obj.get('id')} is {status} ({subscription.plan or 'unknown plan'})"


def link_checkout(session: dict) -> str:
    """checkout.session.completed: accept only a session we created for this shop."""
    subscription = ensure_subscription()
    if session.get("id") != subscription.checkout_session_id or session.get("client_reference_id") != str(
        active_tenant_id()
    ):
        return f"ignored: checkout session {session.get('id')} was not created by this shop"
    subscription.checkout_session_id = None
    if session.get("subscription") and subscription.status not in LIVE - {S.INCOMPLETE}:
        subscription.stripe_subscription_id = session["subscription"]
    db.session.flush()
    return f"checkout {session.get('id')} completed: subscription {session.get('subscription')}"


def _invoice_subscription_id(invoice: dict) -> str | None:
    if isinstance(invoice.get("subscription"), str):
        return invoice["subscription"]
    details = ((invoice.get("parent") or {}).get("subscription_details")) or {}
    return details.get("subscription")


def invoice_paid(invoice: dict, created: int) -> str:
    """invoice.paid: a past-due or incomplete subscription is active again."""
    subscription = ensure_subscription()
    if _invoice_subscription_id(invoice) not in (None, subscription.stripe_subscription_id):
        return "ignored: invoice of another subscription"
    if created < subscription.state_at:
        return "stale: an older payment"
    if subscription.status in (S.PAST_DUE, S.INCOMPLETE, S.UNPAID):
        subscription.status = S.ACTIVE
    subscription.past_due_since = None
    subscription.action_url = None
    subscription.state_at = created
    sync_tenant_status(active_tenant(), subscription)
    db.session.flush()
    return f"invoice {invoice.get('id')} paid; subscription {subscription.status}"


def invoice_payment_failed(invoice: dict, created: int) -> str:
    """invoice.payment_failed: past due (full access during the grace period), owners are told."""
    subscription = ensure_subscription()
    if _invoice_subscription_id(invoice) not in (None, subscription.stripe_subscription_id):
        return "ignored: invoice of another subscription"
    if created < subscription.state_at:
        return "stale: an older failure"
    if subscription.status in RUNNING:
        subscription.status = S.PAST_DUE
        subscription.past_due_since = subscription.past_due_since or gateway.from_epoch(created)
    subscription.state_at = created
    sync_tenant_status(active_tenant(), subscription)
    db.session.flush()
    mail_owners(
        "Your Workbay payment failed",
        "billing/email/payment_failed",
        grace_days=grace_days(),
        invoice_url=invoice.get("hosted_invoice_url"),
    )
    return f"invoice {invoice.get('id')} failed; subscription {subscription.status}"


def invoice_action_required(invoice: dict, created: int) -> str:
    """invoice.payment_action_required: keep the link where the owner confirms the payment."""
    subscription = ensure_subscription()
    subscription.action_url = invoice.get("hosted_invoice_url")
    db.session.flush()
    mail_owners(
        "Please confirm your Workbay payment",
        "billing/email/payment_action",
        invoice_url=invoice.get("hosted_invoice_url"),
    )
    return f"invoice {invoice.get('id')} needs confirmation"


def sync_from_stripe() -> str:
    """Re-read the active shop's subscription from Stripe and repair drift (`flask billing sync`)."""
    subscription = get_subscription()
    if subscription is None or not subscription.stripe_customer_id:
        return "no Stripe customer"
    found = gateway.list_subscriptions(subscription.stripe_customer_id)
    if subscription.stripe_subscription_id:
        current = next((s for s in found if s["id"] == subscription.stripe_subscription_id), None)
        current = current or gateway.retrieve_subscription(subscription.stripe_subscription_id)
    else:
        current = next((s for s in found if s.get("status") in LIVE), found[0] if found else None)
    if current is None:
        return "no subscription in Stripe"
    # What Stripe says now wins over any stored event time.
    outcome = apply_subscription(current, max(subscription.state_at, int(utcnow().timestamp())))
    match_seat_quantity(subscription, current)
    return outcome
