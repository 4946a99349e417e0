"""Background work of whole-shop exports: building an archive, and deleting archives whose link expired."""

from __future__ import annotations

import logging
from functools import partial

from saas.core.tasks.registry import task
from saas.core.tasks.shops import fan_out, run_as_shop
from saas.shopdata import export

log = logging.getLogger(__name__)

EXPIRY_FAN_OUT_TASK = "shopdata.expire_exports_fan_out"
EXPIRY_SHOP_TASK = "shopdata.expire_exports_for_shop"


@task(export.BUILD_TASK)
def build_export(tenant_id: int, export_id: int) -> str:
    """Build one shop export's archive as its shop. A failure is marked on the export (it can be started again)."""

    def work() -> str:
        built = export.build(export_id)
        return built.status if built is not None else "gone"

    try:
        return run_as_shop(tenant_id, work)
    except Exception as error:
        log.exception("shop export %s of shop %s failed", export_id, tenant_id)
        run_as_shop(tenant_id, partial(export.mark_failed, export_id, error))
        raise


@task(EXPIRY_FAN_OUT_TASK, cron="50 3 * * *")
def fan_out_shop_export_expiry(timestamp: int | None = None) -> int:
    """Daily: one job per shop (suspended ones too) that deletes its expired whole-shop archives."""
    return fan_out(EXPIRY_SHOP_TASK, "shopdata: list the shops whose expired exports to delete", include_suspended=True)


@task(EXPIRY_SHOP_TASK)
def expire_shop_exports_for_shop(tenant_id: int) -> int:
    """Delete one shop's expired whole-shop archives (the rows stay, marked expired)."""
    return run_as_shop(tenant_id, export.expire_due)
