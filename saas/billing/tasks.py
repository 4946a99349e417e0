"""Scheduled billing work: trial reminders (and read-only at the trial's end), daily, one job per shop.

Same shape as saas/tasks/reminders.py: the daily fan-out lists the trialing shops through the
logged cross-tenant path and enqueues one job per shop; each shop's job runs as that shop.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from saas.extensions import db
from saas.onboarding.models import Tenant, TenantStatus
from saas.tasks.queue import Job, enqueue
from saas.tasks.registry import task
from saas.tenancy import cross_tenant_scope, tenant_scope

log = logging.getLogger(__name__)

FAN_OUT_TASK = "billing.trial_reminders_fan_out"
SHOP_TASK = "billing.trial_reminder_for_shop"
DAILY = "0 8 * * *"


def shop_job(tenant_id: int) -> Job:
    """The trial-reminder job of one shop."""
    return Job(SHOP_TASK, {"tenant_id": tenant_id}, lock=f"billing-trial:{tenant_id}")


@task(FAN_OUT_TASK, cron=DAILY)
def fan_out_trial_reminders(timestamp: int | None = None) -> int:
    """Enqueue one job per trialing shop; return how many."""
    with cross_tenant_scope("billing: list the trialing shops to remind"):
        tenant_ids = db.session.scalars(
            select(Tenant.id).where(Tenant.status == TenantStatus.TRIALING).order_by(Tenant.id)
        ).all()
    enqueue(db.session.connection(), [shop_job(tenant_id) for tenant_id in tenant_ids])
    db.session.commit()
    log.info("trial reminders: %d shop job(s) enqueued for %s", len(tenant_ids), timestamp)
    return len(tenant_ids)


@task(SHOP_TASK)
def send_trial_reminder_for_shop(tenant_id: int) -> str:
    """Remind one shop's owners before the trial ends; make the shop read-only once it has ended."""
    from saas.billing.services import send_due_trial_reminder

    with tenant_scope(tenant_id):
        try:
            result = send_due_trial_reminder()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    log.info("trial reminder of shop %s: %s", tenant_id, result)
    return result


SEAT_TASK = "billing.sync_seats"


def seat_sync_job(tenant_id: int) -> Job:
    """Bring one shop's per-seat quantity in line with its staff (repeats are harmless: it sets, not adds)."""
    return Job(
        SEAT_TASK,
        {"tenant_id": tenant_id},
        lock=f"billing-seats:{tenant_id}",
    )


@task(SEAT_TASK)
def sync_seats_for_shop(tenant_id: int) -> int | None:
    """Update the Stripe subscription quantity of one shop (runs as that shop)."""
    from saas.billing.services import sync_seats

    try:
        quantity = sync_seats(tenant_id)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    log.info("seats of shop %s: quantity %s", tenant_id, quantity)
    return quantity
