"""Scheduled work: appointment reminders, every hour, one job per shop.

The hourly job only lists the shops (the explicit, logged cross-tenant path) and enqueues
one job per shop in the same transaction. Each shop's job runs as that shop and nothing
else: `tenant_scope(tenant_id)`, so a failure or a slow shop never holds up the others, and
a retry repeats one shop's work only.
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

FAN_OUT_TASK = "reminders.fan_out"
SHOP_TASK = "reminders.send_for_shop"
HOURLY = "0 * * * *"
# Shops that are shut get no reminders sent in their name.
DORMANT = (TenantStatus.CANCELED, TenantStatus.SUSPENDED)


def shop_job(tenant_id: int) -> Job:
    """The reminder job of one shop. One shop's jobs never overlap (they share a lock)."""
    return Job(SHOP_TASK, {"tenant_id": tenant_id}, lock=f"reminders:{tenant_id}")


@task(FAN_OUT_TASK, cron=HOURLY)
def fan_out_appointment_reminders(timestamp: int | None = None) -> int:
    """Enqueue one reminder job per live shop; return how many were enqueued."""
    with cross_tenant_scope("appointment reminders: list the shops to remind"):
        tenant_ids = db.session.scalars(
            select(Tenant.id).where(Tenant.status.not_in(DORMANT)).order_by(Tenant.id)
        ).all()
    enqueue(db.session.connection(), [shop_job(tenant_id) for tenant_id in tenant_ids])
    db.session.commit()
    log.info("appointment reminders: %d shop job(s) enqueued for %s", len(tenant_ids), timestamp)
    return len(tenant_ids)


@task(SHOP_TASK)
def send_shop_reminders(tenant_id: int) -> object:
    """Send the due appointment reminders of one shop, as that shop; commit once."""
    from saas.appointments.services import send_due_reminders  # appointments may import mail, which imports us

    with tenant_scope(tenant_id):  # restores the previous (no) tenant afterwards, whatever happens
        try:
            result = send_due_reminders()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    log.info("appointment reminders of shop %s: %s", tenant_id, result)
    return result
