"""Scheduled billing work, one job per shop (saas.core.tasks.shops): trial reminders (and read-only
at the trial's end) and the end of complimentary plans, daily; the Stripe seat quantity after staff
changes (queued by `billing.seats`)."""

from __future__ import annotations

import logging

from sqlalchemy import select

from saas.billing import seats, trial
from saas.billing.models import Subscription
from saas.core.tasks.registry import task
from saas.core.tasks.shops import fan_out, run_as_shop
from saas.core.tenant import Tenant, TenantStatus

log = logging.getLogger(__name__)

FAN_OUT_TASK = "billing.trial_reminders_fan_out"
SHOP_TASK = "billing.trial_reminder_for_shop"
DAILY = "0 8 * * *"


@task(FAN_OUT_TASK, cron=DAILY)
def fan_out_trial_reminders(timestamp: int | None = None) -> int:
    """Enqueue one job per trialing shop; return how many."""
    count = fan_out(
        SHOP_TASK,
        "billing: list the trialing shops to remind",
        Tenant.status == TenantStatus.TRIALING,
        Tenant.deletion_due_at.is_(None),
    )
    log.info("trial reminders: %d shop job(s) enqueued for %s", count, timestamp)
    return count


@task(SHOP_TASK)
def send_trial_reminder_for_shop(tenant_id: int) -> str:
    """Remind one shop's owners before the trial ends; make the shop read-only once it has ended."""
    result = run_as_shop(tenant_id, trial.send_due_trial_reminder)
    log.info("trial reminder of shop %s: %s", tenant_id, result)
    return result


@task(seats.SEAT_TASK)
def sync_seats_for_shop(tenant_id: int) -> int | None:
    """Update the Stripe subscription quantity of one shop (runs as that shop)."""
    quantity = run_as_shop(tenant_id, lambda: seats.sync_seats(tenant_id))
    log.info("seats of shop %s: quantity %s", tenant_id, quantity)
    return quantity


COMP_FAN_OUT_TASK = "billing.comp_ends_fan_out"
COMP_SHOP_TASK = "billing.comp_end_for_shop"


@task(COMP_FAN_OUT_TASK, cron="30 8 * * *")
def fan_out_comp_ends(timestamp: int | None = None) -> int:
    """Enqueue one job per shop on a complimentary plan; return how many."""
    comped = Tenant.id.in_(select(Subscription.tenant_id).where(Subscription.comped_until.is_not(None)))
    return fan_out(COMP_SHOP_TASK, "billing: list the shops on a complimentary plan", comped)


@task(COMP_SHOP_TASK)
def end_comp_for_shop(tenant_id: int) -> str:
    """Mark one shop read-only once its complimentary plan has ended."""
    return run_as_shop(tenant_id, trial.end_due_comp)
