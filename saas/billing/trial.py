"""The end of a free trial (reminders to the owners before it ends, read-only once it has ended) and of a
complimentary plan a platform admin gave (read-only once it has ended)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from saas.billing import stripe_gateway as gateway
from saas.billing.access import ensure_subscription, get_subscription
from saas.billing.notices import mail_owners
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import active_tenant
from saas.core.tenant import TenantStatus


def send_due_trial_reminder(now: datetime | None = None) -> str:
    """For the current shop: remind the owners before the trial ends; mark it read-only after."""
    now = now or utcnow()
    tenant = active_tenant()
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
    _remind_owners(tenant.trial_ends_at, subscribed=False)
    return "reminder sent"


def trial_will_end(obj: dict, created: int) -> str:
    """customer.subscription.trial_will_end: remind the owners."""
    _remind_owners(gateway.from_epoch(obj.get("trial_end")) or active_tenant().trial_ends_at, subscribed=True)
    return "trial reminder sent"


def _remind_owners(ends_at: datetime | None, subscribed: bool) -> None:
    mail_owners("Your Workbay trial ends soon", "billing/email/trial_ending", ends_at=ends_at, subscribed=subscribed)


def end_due_comp(now: datetime | None = None) -> str:
    """For the current shop: once its complimentary plan has ended, its status says read-only too."""
    now = now or utcnow()
    subscription = get_subscription()
    if subscription is None or subscription.comped_until is None or subscription.stripe_subscription_id:
        return "not comped"
    if subscription.comped_until > now:
        return "not yet"
    active_tenant().status = TenantStatus.READ_ONLY
    db.session.flush()
    return "comp ended: read-only"
