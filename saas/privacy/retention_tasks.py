"""The nightly retention run, one job per shop."""

from __future__ import annotations

import logging

from saas.core.tasks.registry import task
from saas.core.tasks.shops import fan_out, run_as_shop
from saas.privacy import retention

log = logging.getLogger(__name__)

FAN_OUT_TASK = "privacy.retention_fan_out"
SHOP_TASK = "privacy.retention_for_shop"


@task(FAN_OUT_TASK, cron="10 2 * * *")
def fan_out_retention(timestamp: int | None = None) -> int:
    """Nightly: one retention job per shop that is not suspended (a suspended shop's data waits)."""
    return fan_out(SHOP_TASK, "privacy: list the shops to apply retention to")


@task(SHOP_TASK)
def apply_retention_for_shop(tenant_id: int) -> int:
    """Apply one shop's retention periods; returns how many items went."""

    def work() -> int:
        return retention.run_retention(dry_run=False, trigger="schedule").total

    total = run_as_shop(tenant_id, work)
    log.info("retention of shop %s: %s item(s)", tenant_id, total)
    return total
