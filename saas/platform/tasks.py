"""The console's background work: deleting the shops whose grace period after closing is over.

A daily fan-out lists them (suspended ones too: the deletion was decided, a suspension does not
postpone it) and enqueues one job per shop; each job deletes one shop as that shop and commits
once, so a shop that fails (Stripe unreachable) is retried on its own and nothing of it is deleted
until it succeeds.
"""

from __future__ import annotations

import logging

from procrastinate import RetryStrategy

from saas.core.storage import get_storage
from saas.core.tasks.registry import task
from saas.core.tasks.shops import fan_out, run_as_shop
from saas.platform import closing

log = logging.getLogger(__name__)

PURGE_FAN_OUT_TASK = "platform.purge_closed_shops_fan_out"
PURGE_SHOP_TASK = "platform.purge_closed_shop"
# Stripe down: tried again after about 8 s, 1 min, 9 min, 68 min; the next day's fan-out tries once more.
PURGE_RETRY = RetryStrategy(max_attempts=5, exponential_wait=8)


@task(PURGE_FAN_OUT_TASK, cron="20 4 * * *")
def fan_out_closed_shop_purge(timestamp: int | None = None) -> int:
    """Daily: one job per shop whose grace period after closing has ended."""
    return fan_out(
        PURGE_SHOP_TASK,
        "platform: list the closed shops due for deletion",
        closing.due_for_deletion(),
        include_suspended=True,
    )


@task(PURGE_SHOP_TASK, retry=PURGE_RETRY)
def purge_closed_shop(tenant_id: int) -> str:
    """Delete one closed shop (all its rows, then its stored objects), unless it was restored meanwhile."""
    purge = run_as_shop(tenant_id, lambda: closing.purge_shop(tenant_id))
    if purge is None:
        return "kept"
    left = get_storage().keys_of_shop(tenant_id)
    if left:
        log.error("shop %s deleted, but %s stored objects could not be deleted: %s", tenant_id, len(left), left[:10])
    return f"deleted: {sum(purge.rows.values())} rows, {purge.objects} objects"
