"""Scheduled work: the daily upkeep of privacy requests, one job per shop (saas.core.tasks.shops)."""

from __future__ import annotations

import logging

from saas.core.tasks.registry import task
from saas.core.tasks.shops import fan_out, run_as_shop
from saas.privacy import request_upkeep

log = logging.getLogger(__name__)

FAN_OUT_TASK = "privacy_requests.fan_out"
SHOP_TASK = "privacy_requests.upkeep_for_shop"
DAILY = "0 7 * * *"  # 07:00 UTC: morning in Europe, before the day starts in the Americas


@task(FAN_OUT_TASK, cron=DAILY)
def fan_out_privacy_upkeep(timestamp: int | None = None) -> int:
    """Enqueue one upkeep job per shop not suspended (`fan_out`; a cancelled shop still owes its customers answers)."""
    count = fan_out(SHOP_TASK, "privacy requests: list the shops to remind")
    log.info("privacy requests: %d shop job(s) enqueued for %s", count, timestamp)
    return count


@task(SHOP_TASK)
def privacy_upkeep_for_shop(tenant_id: int) -> object:
    """Remind the owners of one shop about deadlines and drop its stale unconfirmed requests, as that shop."""
    result = run_as_shop(tenant_id, request_upkeep.daily_upkeep)
    log.info("privacy requests of shop %s: %s", tenant_id, result)
    return result
