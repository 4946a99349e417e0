"""What an admin may do to a shop from the console: extend its trial, set or comp a plan, suspend it and
reactivate it. Each action is audited with its reason and the shop's state before and after.

Suspension is set on top of the plan's status (`Tenant.suspended_at`), so reactivating gives the shop
back exactly what it had: no data is touched, and its scheduled work (paused by `fan_out`) resumes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select

from saas.billing.access import admin_set_plan, extend_trial
from saas.billing.models import Subscription
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.core.tenant import Tenant, TenantStatus
from saas.platform import audit


class ConsoleActionError(ServiceError):
    """A console action that cannot be done in the shop's current state."""

    status = 409


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else None


def shop_state(tenant_id: int) -> dict:
    """The parts of a shop the console's actions change, as the audit trail keeps them."""
    with tenant_scope(tenant_id):
        tenant = db.session.get(Tenant, tenant_id)
        subscription = db.session.scalar(select(Subscription))
        return {
            "status": tenant.status,
            "trial_ends_at": _iso(tenant.trial_ends_at),
            "suspended_at": _iso(tenant.suspended_at),
            "deletion_due_at": _iso(tenant.deletion_due_at),
            "plan": subscription.plan if subscription else None,
            "comped_until": _iso(subscription.comped_until if subscription else None),
        }


def _audited(action: str, tenant_id: int, reason: str, change) -> Tenant:
    before = shop_state(tenant_id)
    tenant = change()
    audit.record(action, shop_id=tenant_id, reason=reason, before=before, after=shop_state(tenant_id))
    return tenant


def extend_shop_trial(tenant_id: int, days: int, reason: str) -> Tenant:
    """Give a shop more days of free trial."""
    return _audited("shops.extend_trial", tenant_id, reason, lambda: extend_trial(tenant_id, days))


def end_of_day(day: date | None) -> datetime | None:
    """The end of `day` in UTC (a complimentary plan runs through its last day)."""
    return datetime.combine(day, time.max, UTC) if day else None


def set_shop_plan(tenant_id: int, plan_key: str, comped_until: date | None, reason: str) -> Tenant:
    """Put a shop on a plan by hand: paid outside Stripe, or free of charge until `comped_until`."""
    status = TenantStatus.ACTIVE if plan_key else TenantStatus.TRIALING
    action = "shops.comp_plan" if comped_until else "shops.set_plan"
    return _audited(
        action, tenant_id, reason, lambda: admin_set_plan(tenant_id, plan_key, status, end_of_day(comped_until))
    )


def suspend_shop(tenant_id: int, reason: str) -> Tenant:
    """Stop a shop: its staff are refused everywhere; its customers' privacy pages keep working."""

    def change() -> Tenant:
        with tenant_scope(tenant_id):
            tenant = db.session.get(Tenant, tenant_id)
            if tenant.suspended_at is not None:
                raise ConsoleActionError("This shop is suspended already.")
            tenant.suspended_at = utcnow()
            db.session.flush()
        return tenant

    return _audited("shops.suspend", tenant_id, reason, change)


def reactivate_shop(tenant_id: int, reason: str) -> Tenant:
    """Lift a suspension: the shop has what it had before, and its scheduled work resumes."""

    def change() -> Tenant:
        with tenant_scope(tenant_id):
            tenant = db.session.get(Tenant, tenant_id)
            if tenant.suspended_at is None:
                raise ConsoleActionError("This shop is not suspended.")
            tenant.suspended_at = None
            db.session.flush()
        return tenant

    return _audited("shops.reactivate", tenant_id, reason, change)
