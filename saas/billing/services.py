"""Billing rules: which plan a shop is on, what it may do, and how Stripe's state becomes ours.

Functions here work on the current tenant (the session's active one) unless they take a tenant
id; they flush but never commit. Stripe is reached only through `stripe_gateway`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask import current_app, url_for
from sqlalchemy import func, select

from saas.auth.models import Invitation, User
from saas.auth.roles import Role
from saas.billing import stripe_gateway as gateway
from saas.billing.models import StripeCustomer, Subscription, SubscriptionStatus
from saas.billing.plans import Plan, get_plan, next_plan, plan_for_price, trial_plan
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.mail import send_mail
from saas.core.tenancy import active_tenant_id, tenant_scope
from saas.core.tenant import Tenant, TenantStatus

log = logging.getLogger(__name__)

S = SubscriptionStatus
# Stripe statuses in which the shop is a paying (or Stripe-trialing) customer.
LIVE = frozenset({S.ACTIVE, S.TRIALING, S.PAST_DUE, S.INCOMPLETE})
ENDED = frozenset({S.CANCELED, S.UNPAID, S.INCOMPLETE_EXPIRED, S.PAUSED})
STRIPE_TO_TENANT = {
    S.TRIALING: TenantStatus.TRIALING,
    S.ACTIVE: TenantStatus.ACTIVE,
    S.PAST_DUE: TenantStatus.PAST_DUE,
    S.UNPAID: TenantStatus.READ_ONLY,
    S.PAUSED: TenantStatus.READ_ONLY,
    S.CANCELED: TenantStatus.CANCELED,
    S.INCOMPLETE_EXPIRED: TenantStatus.CANCELED,
}
ADMIN_STATUSES = (TenantStatus.TRIALING, TenantStatus.ACTIVE, TenantStatus.READ_ONLY, TenantStatus.SUSPENDED)


class BillingError(ServiceError):
    """A billing request that cannot be done; the message is safe to show."""


class PlanLimitError(BillingError):
    """The shop's plan does not allow this; the page offers an upgrade."""

    status = 402

    def __init__(self, message: str, plan: Plan | None = None):
        super().__init__(message)
        self.plan = plan
        self.upgrade_to = next_plan(plan) if plan else None


def billing_enabled() -> bool:
    """Billing through Stripe is on (keys are configured)."""
    return gateway.enabled()


def _from_epoch(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value else None


# --- the shop's plan and access ----------------------------------------------------------


def get_subscription() -> Subscription | None:
    """The current shop's subscription row, if it has one."""
    return db.session.scalar(select(Subscription))


def ensure_subscription() -> Subscription:
    """The current shop's subscription row, created (trial, no plan) when missing."""
    subscription = get_subscription()
    if subscription is None:
        subscription = Subscription(status=S.NONE, quantity=1, state_at=0, cancel_at_period_end=False)
        db.session.add(subscription)
        db.session.flush()
    return subscription


def current_tenant_row() -> Tenant:
    """The Tenant row of the active tenant."""
    return db.session.get(Tenant, active_tenant_id())


def effective_plan(subscription: Subscription | None) -> Plan:
    """The plan whose limits apply: the subscribed or admin-set plan, else the trial's."""
    plan = get_plan(subscription.plan) if subscription else None
    return plan or trial_plan()


@dataclass(frozen=True)
class Access:
    """What the shop may do right now, and what the banner says."""

    read_only: bool
    reason: str = ""
    banner: str | None = None
    action_url: str | None = None


def _trial_access(tenant: Tenant, now: datetime) -> Access:
    if tenant.trial_ends_at is not None and tenant.trial_ends_at <= now:
        return Access(True, "Your free trial has ended. Choose a plan to keep adding work; your data is safe.")
    return Access(False)


def access_for(tenant: Tenant, subscription: Subscription | None, now: datetime | None = None) -> Access:
    """Full access or read-only (can read, export and pay, cannot create), with the reason."""
    now = now or utcnow()
    if tenant.status == TenantStatus.SUSPENDED:
        return Access(True, "This shop is suspended. Please contact Workbay support.")
    if subscription is not None and subscription.stripe_subscription_id:
        status = subscription.status
        if status in (S.ACTIVE, S.TRIALING):
            banner = None
            if subscription.cancel_at_period_end and subscription.current_period_end:
                banner = f"Your subscription ends on {subscription.current_period_end:%d %b %Y}."
            return Access(False, banner=banner)
        if status == S.PAST_DUE:
            grace_end = (subscription.past_due_since or now) + timedelta(days=grace_days())
            if now < grace_end:
                return Access(
                    False,
                    banner=f"Your last payment failed. Please update your card before {grace_end:%d %b %Y} "
                    "to keep full access.",
                )
            return Access(True, "Your payment is overdue. Update your card to unlock the shop; your data is safe.")
        if status == S.INCOMPLETE:
            trial = _trial_access(tenant, now)
            return Access(
                trial.read_only,
                trial.reason or "",
                banner="Your bank asks you to confirm the payment for your subscription.",
                action_url=subscription.action_url,
            )
        if status in ENDED:
            return Access(True, "Your subscription has ended. Subscribe again to keep working; your data is kept.")
    if tenant.status in (TenantStatus.READ_ONLY, TenantStatus.CANCELED):
        return Access(True, "This shop is read-only until it has an active plan. Your data is kept.")
    if tenant.status == TenantStatus.TRIALING:
        return _trial_access(tenant, now)
    return Access(False)


def current_access() -> Access:
    """Access of the current shop."""
    return access_for(current_tenant_row(), get_subscription())


def grace_days() -> int:
    return int(current_app.config.get("BILLING_GRACE_DAYS", 7))


def seats_used() -> int:
    """Active staff plus open invitations of the current shop."""
    staff = db.session.scalar(select(func.count()).select_from(User).where(User.is_active_account.is_(True)))
    invited = db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
    )
    return staff + invited


def check_seat_available() -> None:
    """Raise PlanLimitError when the plan's staff seats are all taken (invitations count)."""
    plan = effective_plan(get_subscription())
    if plan.staff_seats is not None and seats_used() >= plan.staff_seats:
        raise PlanLimitError(
            f"Your {plan.name} plan includes {plan.staff_seats} staff seats, and all are taken (open invitations "
            "count too). Upgrade your plan to invite more people, or withdraw an invitation.",
            plan,
        )


def plan_allows(feature: str) -> bool:
    """True when the current shop's plan includes `feature` ("online_booking", "inspections")."""
    return bool(getattr(effective_plan(get_subscription()), feature))


def check_feature(feature: str, label: str) -> None:
    """Raise PlanLimitError when the plan lacks `feature`."""
    plan = effective_plan(get_subscription())
    if not getattr(plan, feature):
        raise PlanLimitError(f"{label} is not part of your {plan.name} plan. Upgrade to use it.", plan)


def storage_limit_bytes() -> int | None:
    """How many bytes of documents the current shop's plan allows (None = unlimited)."""
    return effective_plan(get_subscription()).storage_bytes


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
    tenant = current_tenant_row()
    subscription = ensure_subscription()
    plan = effective_plan(subscription)
    invoices: list[dict] = []
    invoices_error = None
    if billing_enabled() and subscription.stripe_customer_id:
        try:
            invoices = gateway.list_invoices(subscription.stripe_customer_id)
        except gateway.StripeUnavailable as error:
            invoices_error = str(error).replace("Nothing was changed; please", "Please")
    next_at = next_amount = None
    renews = subscription.status in (S.ACTIVE, S.TRIALING, S.PAST_DUE) and not subscription.cancel_at_period_end
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
        billing_enabled(),
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


def start_checkout(owner: User, plan_key: str, interval: str) -> str:
    """Create a Checkout session for `plan_key`/`interval`; return the URL to send the owner to."""
    if not billing_enabled():
        raise BillingError("Online payment is not switched on for this Workbay installation.")
    plan = get_plan(plan_key)
    if plan is None or interval not in ("month", "year"):
        raise BillingError("Choose one of the plans shown.")
    price_id = plan.price_id(interval)
    if not price_id:
        raise BillingError(f"The {plan.name} plan cannot be bought online yet. Please contact Workbay.")
    tenant = current_tenant_row()
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
    if not billing_enabled():
        raise BillingError("Online payment is not switched on for this Workbay installation.")
    subscription = get_subscription()
    if subscription is None or not subscription.stripe_customer_id:
        raise BillingError("Subscribe to a plan first; then you can manage your card and invoices here.")
    return gateway.create_portal_session(subscription.stripe_customer_id, url_for("billing.index", _external=True))


# --- applying Stripe's state -------------------------------------------------------------


def _first_item(obj: dict) -> dict:
    items = (obj.get("items") or {}).get("data") or []
    return items[0] if items else {}


def sync_tenant_status(tenant: Tenant, subscription: Subscription) -> None:
    """Make the tenant's coarse status follow the subscription (and the grace period)."""
    if tenant.status == TenantStatus.SUSPENDED:
        return
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
    item = _first_item(obj)
    price_id = (item.get("price") or {}).get("id")
    subscription.stripe_subscription_id = obj.get("id")
    subscription.status = status
    subscription.stripe_price_id = price_id or subscription.stripe_price_id
    known = plan_for_price(price_id)
    if known:
        subscription.plan, subscription.interval = known[0].key, known[1]
    subscription.quantity = int(item.get("quantity") or obj.get("quantity") or 1)
    subscription.current_period_end = _from_epoch(item.get("current_period_end") or obj.get("current_period_end"))
    subscription.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    if status == S.PAST_DUE:
        subscription.past_due_since = subscription.past_due_since or _from_epoch(created)
    else:
        subscription.past_due_since = None
    if status != S.INCOMPLETE:
        subscription.action_url = None
    subscription.state_at = created
    subscription.synced_at = utcnow()
    tenant = current_tenant_row()
    if status == S.TRIALING and obj.get("trial_end"):
        tenant.trial_ends_at = _from_epoch(obj["trial_end"])
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


def _owners() -> list[User]:
    return db.session.scalars(
        select(User).where(User.role == Role.OWNER, User.is_active_account.is_(True)).order_by(User.id)
    ).all()


def _mail_owners(subject: str, template: str, **context) -> None:
    tenant = current_tenant_row()
    link = url_for("billing.index", shop=tenant.subdomain, _external=True)
    for owner in _owners():
        send_mail(owner.email, subject, template, owner=owner, shop=tenant, billing_link=link, **context)


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
    sync_tenant_status(current_tenant_row(), subscription)
    db.session.flush()
    return f"invoice {invoice.get('id')} paid; subscription {subscription.status}"


def invoice_payment_failed(invoice: dict, created: int) -> str:
    """invoice.payment_failed: past due (full access during the grace period), owners are told."""
    subscription = ensure_subscription()
    if _invoice_subscription_id(invoice) not in (None, subscription.stripe_subscription_id):
        return "ignored: invoice of another subscription"
    if created < subscription.state_at:
        return "stale: an older failure"
    if subscription.status in (S.ACTIVE, S.TRIALING, S.PAST_DUE):
        subscription.status = S.PAST_DUE
        subscription.past_due_since = subscription.past_due_since or _from_epoch(created)
    subscription.state_at = created
    sync_tenant_status(current_tenant_row(), subscription)
    db.session.flush()
    _mail_owners(
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
    _mail_owners(
        "Please confirm your Workbay payment",
        "billing/email/payment_action",
        invoice_url=invoice.get("hosted_invoice_url"),
    )
    return f"invoice {invoice.get('id')} needs confirmation"


def trial_will_end(obj: dict, created: int) -> str:
    """customer.subscription.trial_will_end: remind the owners."""
    tenant = current_tenant_row()
    _mail_owners(
        "Your Workbay trial ends soon",
        "billing/email/trial_ending",
        ends_at=_from_epoch(obj.get("trial_end")) or tenant.trial_ends_at,
        subscribed=True,
    )
    return "trial reminder sent"


# --- trial reminders, plan set by a platform admin, repairs ------------------------------


def send_due_trial_reminder(now: datetime | None = None) -> str:
    """For the current shop: remind the owners before the trial ends; mark it read-only after."""
    now = now or utcnow()
    tenant = current_tenant_row()
    subscription = get_subscription()
    if tenant.status != TenantStatus.TRIALING or tenant.trial_ends_at is None:
        return "not trialing"
    if subscription is not None and subscription.stripe_subscription_id:
        return "subscribed"  # Stripe sends trial_will_end for its own trials
    if tenant.trial_ends_at <= now:
        tenant.status = TenantStatus.READ_ONLY
        db.session.flush()
        return "trial ended: read-only"
    days = int(current_app.config.get("BILLING_TRIAL_REMINDER_DAYS", 3))
    if tenant.trial_ends_at - now > timedelta(days=days):
        return "not yet"
    subscription = subscription or ensure_subscription()
    if subscription.trial_reminder_sent_at is not None:
        return "already reminded"
    subscription.trial_reminder_sent_at = now
    db.session.flush()
    _mail_owners(
        "Your Workbay trial ends soon", "billing/email/trial_ending", ends_at=tenant.trial_ends_at, subscribed=False
    )
    return "reminder sent"


def admin_set_plan(tenant_id: int, plan_key: str, status: str) -> Tenant:
    """A platform admin puts a shop on a plan and status (billing off, or a special deal)."""
    if plan_key and get_plan(plan_key) is None:
        raise BillingError("Unknown plan.")
    if status not in {s.value for s in ADMIN_STATUSES}:
        raise BillingError("Unknown status.")
    with tenant_scope(tenant_id):
        tenant = db.session.get(Tenant, tenant_id)
        if tenant is None:
            raise BillingError("Unknown shop.")
        subscription = ensure_subscription()
        subscription.plan = plan_key or None
        tenant.status = status
        db.session.flush()
    return tenant


def sync_from_stripe(tenant_id: int) -> str:
    """Re-read the shop's subscription from Stripe and repair drift (`flask billing sync`)."""
    with tenant_scope(tenant_id):
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
        _sync_seat_quantity(subscription, current)
        return outcome


def _sync_seat_quantity(subscription: Subscription, stripe_subscription: dict) -> None:
    plan = get_plan(subscription.plan)
    if plan is None or not plan.per_seat or subscription.status not in (S.ACTIVE, S.TRIALING, S.PAST_DUE):
        return
    item = _first_item(stripe_subscription)
    seats = max(1, seats_used())
    if item.get("id") and int(item.get("quantity") or 0) != seats:
        gateway.set_subscription_quantity(subscription.stripe_subscription_id, item["id"], seats)
        subscription.quantity = seats


def seats_changed() -> None:
    """Staff joined, left or were invited: queue a job that brings a per-seat subscription's
    quantity in line (with the change's own transaction; nothing happens when billing is off)."""
    from saas.billing.tasks import seat_sync_job
    from saas.core.tasks.queue import enqueue

    subscription = get_subscription() if billing_enabled() else None
    plan = get_plan(subscription.plan) if subscription is not None else None
    if plan is None or not plan.per_seat or not subscription.stripe_subscription_id:
        return
    enqueue(db.session.connection(), [seat_sync_job(subscription.tenant_id)])


def sync_seats(tenant_id: int) -> int | None:
    """Set the shop's per-seat subscription quantity in Stripe to the seats in use; returns it."""
    with tenant_scope(tenant_id):
        subscription = get_subscription()
        if subscription is None or not subscription.stripe_subscription_id:
            return None
        _sync_seat_quantity(subscription, gateway.retrieve_subscription(subscription.stripe_subscription_id))
        return subscription.quantity
