"""Background work of data exports: building an archive, and deleting archives whose link expired."""

from __future__ import annotations

import logging
from functools import partial

from saas.core.tasks.registry import task
from saas.core.tasks.shops import fan_out, run_as_shop
from saas.privacy import exports

log = logging.getLogger(__name__)

EXPIRY_FAN_OUT_TASK = "privacy.expire_exports_fan_out"
EXPIRY_SHOP_TASK = "privacy.expire_exports_for_shop"


@task(exports.BUILD_TASK)
def build_export(tenant_id: int, export_id: int) -> str:
    """Build one export's archive as its shop. A failure is marked on the export (staff can start again)."""

    def work() -> str:
        export = exports.build(export_id)
        return export.status if export is not None else "gone"

    try:
        return run_as_shop(tenant_id, work)
    except Exception as error:
        log.exception("data export %s of shop %s failed", export_id, tenant_id)
        run_as_shop(tenant_id, partial(exports.mark_failed, export_id, error))
        raise


@task(EXPIRY_FAN_OUT_TASK, cron="40 3 * * *")
def fan_out_export_expiry(timestamp: int | None = None) -> int:
    """Daily: one job per shop that deletes its expired export archives."""
    return fan_out(EXPIRY_SHOP_TASK, "privacy: list the shops whose expired exports to delete", include_suspended=True)


@task(EXPIRY_SHOP_TASK)
def expire_exports_for_shop(tenant_id: int) -> int:
    """Delete one shop's expired export archives (the rows stay, marked expired)."""
    return run_as_shop(tenant_id, exports.expire_due)
