"""Work done shop by shop: a scheduled fan-out lists the shops, one job per shop does the work.

The fan-out only lists shops, through the explicit, logged cross-tenant path, and enqueues one
job per shop in the same transaction. Each shop's job runs as that shop and nothing else
(`run_as_shop`), so a failing or slow shop never holds up the others and a retry repeats one
shop's work only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select

from saas.core.extensions import db
from saas.core.tasks.queue import Job, enqueue
from saas.core.tenancy import cross_tenant_scope, tenant_scope
from saas.core.tenant import Tenant, running_shops

T = TypeVar("T")


def shop_job(task_name: str, tenant_id: int) -> Job:
    """The `task_name` job of one shop; jobs of one task and shop share a lock, so they never overlap."""
    return Job(task_name, {"tenant_id": tenant_id}, lock=f"{task_name}:{tenant_id}")


def fan_out(task_name: str, reason: str, *conditions, include_suspended: bool = False) -> int:
    """Enqueue one `task_name` job per shop matching `conditions` (on `Tenant`), commit; return how many.

    A suspended shop's scheduled work pauses: it is left out unless `include_suspended` (upkeep that
    protects people rather than works in the shop's name, such as deleting expired exports).
    """
    if not include_suspended:
        conditions = (*conditions, running_shops())
    with cross_tenant_scope(reason):
        tenant_ids = db.session.scalars(select(Tenant.id).where(*conditions).order_by(Tenant.id)).all()
    enqueue(db.session.connection(), [shop_job(task_name, tenant_id) for tenant_id in tenant_ids])
    db.session.commit()
    return len(tenant_ids)


def run_as_shop(tenant_id: int, work: Callable[[], T]) -> T:
    """Do `work` as shop `tenant_id` and commit it (one commit per job); a failure rolls back and is raised.

    The tenant is reset afterwards whatever happens, so nothing of this shop leaks into the next job.
    """
    with tenant_scope(tenant_id):
        try:
            result = work()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return result
