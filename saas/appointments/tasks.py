"""Scheduled work: appointment reminders, every hour, one job per shop (saas.core.tasks.shops)."""

from __future__ import annotations

import logging

from saas.appointments import reminders
from saas.core.tasks.registry import task
from saas.core.tasks.shops import fan_out, run_as_shop
from saas.core.tenant import Tenant, TenantStatus

log = logging.getLogger(__name__)

FAN_OUT_TASK = "reminders.fan_out"
SHOP_TASK = "reminders.send_for_shop"
HOURLY = "0 * * * *"
# Shops that are shut get no reminders sent in their name (suspended ones are left out by `fan_out`).
DORMANT = (TenantStatus.CANCELED,)


@task(FAN_OUT_TASK, cron=HOURLY)
def fan_out_appointment_reminders(timestamp: int | None = None) -> int:
    """Enqueue one reminder job per live shop; return how many were enqueued."""
    count = fan_out(
        SHOP_TASK,
        "appointment reminders: list the shops to remind",
        Tenant.status.not_in(DORMANT),
        Tenant.deletion_due_at.is_(None),  # a closing shop makes no more appointments
    )
    log.info("appointment reminders: %d shop job(s) enqueued for %s", count, timestamp)
    return count


@task(SHOP_TASK)
def send_shop_reminders(tenant_id: int) -> object:
    """Send the due appointment reminders of one shop, as that shop; commit once."""
    result = run_as_shop(tenant_id, reminders.send_due_reminders)
    log.info("appointment reminders of shop %s: %s", tenant_id, result)
    return result
