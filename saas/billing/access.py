"""Which plan a shop is on and what it may do: the subscription row, full or read-only access
(trial, grace period, ended), the plan's limits, and a plan set by a platform admin.

Functions here work on the active shop unless they take a tenant id; they flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from saas.billing.errors import BillingError, PlanLimitError
from saas.billing.models import Subscription
from saas.billing.models import SubscriptionStatus as S
from saas.billing.plans import Plan, get_plan, trial_plan
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import active_tenant, tenant_scope
from saas.core.tenant import Tenant, TenantStatus

# Stripe statuses in which the shop is a paying (or Stripe-trialing) customer.
LIVE = frozenset({S.ACTIVE, S.TRIALING, S.PAST_DUE, S.INCOMPLETE})
ENDED = frozenset({S.CANCELED, S.UNPAID, S.INCOMPLETE_EXPIRED, S.PAUSED})
# Statuses of a subscription that runs and renews: paid, in Stripe's trial, or retrying a failed payment.
RUNNING = frozenset({S.ACTIVE, S.TRIALING, S.PAST_DUE})
COMP_NOTICE_DAYS = 7  # a complimentary plan's end is announced on every page this many days before
ADMIN_STATUSES = (TenantStatus.TRIALING, TenantStatus.ACTIVE, TenantStatus.READ_ONLY)


# --- the shop's subscription and plan ----------------------------------------------------


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


def effective_plan(subscription: Subscription | None) -> Plan:
    """The plan whose limits apply: the subscribed or admin-set plan, else the trial's."""
    plan = get_plan(subscription.plan) if subscription else None
    return plan or trial_plan()


def current_plan() -> Plan:
    """The plan whose limits apply to the active shop."""
    return effective_plan(get_subscription())


# --- full or read-only access ------------------------------------------------------------


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
    if tenant.suspended_at is not None:
        return Access(True, "This shop is suspended. Please contact Workbay support.")
    if tenant.deletion_due_at is not None:
        return Access(
            True,
            f"This shop is closing: all of its data will be deleted on {tenant.deletion_due_at:%d %b %Y}. "
            "Export your data from Settings before then, or contact Workbay support to keep the shop.",
        )
    if subscription is not None and subscription.comped_until is not None and not subscription.stripe_subscription_id:
        return _comp_access(subscription.comped_until, now)
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


def _comp_access(comped_until: datetime, now: datetime) -> Access:
    if comped_until <= now:
        return Access(
            True,
            f"Your complimentary plan ended on {comped_until:%d %b %Y}. Choose a plan to keep adding work; your data is safe.",
        )
    if comped_until - now <= timedelta(days=COMP_NOTICE_DAYS):
        return Access(
            False,
            banner=f"Your complimentary plan ends on {comped_until:%d %b %Y}. Choose a plan to keep working after that.",
        )
    return Access(False)


def current_access() -> Access:
    """Access of the current shop."""
    return access_for(active_tenant(), get_subscription())


def grace_days() -> int:
    return int(current_app.config.get("BILLING_GRACE_DAYS", 7))


# --- the plan's limits -------------------------------------------------------------------


def plan_allows(feature: str) -> bool:
    """True when the current shop's plan includes `feature` ("online_booking", "inspections")."""
    return bool(getattr(current_plan(), feature))


def check_feature(feature: str, label: str) -> None:
    """Raise PlanLimitError when the plan lacks `feature`."""
    plan = current_plan()
    if not getattr(plan, feature):
        raise PlanLimitError(f"{label} is not part of your {plan.name} plan. Upgrade to use it.", plan)


def storage_limit_bytes() -> int | None:
    """How many bytes of documents the current shop's plan allows (None = unlimited)."""
    return current_plan().storage_bytes


# --- a plan set by a platform admin ------------------------------------------------------


def admin_set_plan(tenant_id: int, plan_key: str, status: str, comped_until: datetime | None = None) -> Tenant:
    """A platform admin puts a shop on a plan and status (billing off, or a special deal).

    With `comped_until` the plan is free of charge until then; afterwards the shop is read-only
    until it subscribes (`access_for`). A shop paying through Stripe changes plan in Stripe instead.
    """
    if plan_key and get_plan(plan_key) is None:
        raise BillingError("Unknown plan.", field="plan")
    if status not in {s.value for s in ADMIN_STATUSES}:
        raise BillingError("Unknown status.")
    if comped_until is not None and comped_until <= utcnow():
        raise BillingError("A complimentary plan must end in the future.", field="comped_until")
    if comped_until is not None and not plan_key:
        raise BillingError("Choose the plan to give free of charge.", field="plan")
    with tenant_scope(tenant_id):
        tenant = db.session.get(Tenant, tenant_id)
        if tenant is None:
            raise BillingError("Unknown shop.", status=404)
        subscription = ensure_subscription()
        if subscription.stripe_subscription_id and subscription.status in RUNNING:
            raise BillingError(
                "This shop pays through Stripe: its plan changes in Stripe (the owner's billing page).", status=409
            )
        subscription.plan = plan_key or None
        subscription.comped_until = comped_until
        tenant.status = status
        db.session.flush()
    return tenant


def extend_trial(tenant_id: int, days: int) -> Tenant:
    """Give a shop `days` more of free trial, from the later of now and its trial's end (it trials again)."""
    if not 1 <= days <= 90:
        raise BillingError("Extend a trial by 1 to 90 days.", field="days")
    with tenant_scope(tenant_id):
        tenant = db.session.get(Tenant, tenant_id)
        if tenant is None:
            raise BillingError("Unknown shop.", status=404)
        subscription = get_subscription()
        if subscription is not None and subscription.stripe_subscription_id and subscription.status in LIVE:
            raise BillingError("This shop has a Stripe subscription: there is no trial to extend.", status=409)
        if subscription is not None and subscription.comped_until is not None:
            raise BillingError("This shop is on a complimentary plan: change that instead.", status=409)
        if tenant.status not in (TenantStatus.TRIALING, TenantStatus.READ_ONLY):
            raise BillingError("Only a shop in its trial, or read-only after it, can get more trial.", status=409)
        tenant.trial_ends_at = max(tenant.trial_ends_at or utcnow(), utcnow()) + timedelta(days=days)
        tenant.status = TenantStatus.TRIALING
        if subscription is not None:
            subscription.trial_reminder_sent_at = None  # remind them again before the new end
        db.session.flush()
    return tenant
