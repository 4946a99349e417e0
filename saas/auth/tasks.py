"""Session rows that no longer log anyone in (revoked or expired) are deleted: daily, per shop and for
the platform's own tables.

The fan-out deletes the platform's ended rows itself (admins') and enqueues one job per shop, suspended
ones too (this is upkeep of personal data, not work in the shop's name), which deletes that shop's
ended rows of every shop session table (staff, and any customers' portal that registers one).
"""

from __future__ import annotations

import logging

from saas.auth import session_store
from saas.core.tasks.registry import task
from saas.core.tasks.shops import fan_out, run_as_shop

log = logging.getLogger(__name__)

FAN_OUT_TASK = "auth.prune_sessions_fan_out"
SHOP_TASK = "auth.prune_sessions_for_shop"


def prune_shop_sessions() -> int:
    """Delete the current shop's ended session rows; returns how many."""
    return sum(session_store.prune(model) for model in session_store.shop_tables())


@task(FAN_OUT_TASK, cron="35 3 * * *")
def fan_out_session_pruning(timestamp: int | None = None) -> int:
    """Daily: the platform's ended session rows go now (committed with the fan-out); one job per shop for its own."""
    deleted = sum(session_store.prune(model) for model in session_store.platform_tables())
    log.info("ended platform sessions: %d row(s) deleted", deleted)
    return fan_out(SHOP_TASK, "auth: list the shops whose ended session rows to delete", include_suspended=True)


@task(SHOP_TASK)
def prune_sessions_for_shop(tenant_id: int) -> int:
    """Delete one shop's ended session rows."""
    return run_as_shop(tenant_id, prune_shop_sessions)
