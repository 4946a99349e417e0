"""Closing a shop for good: a grace period during which it can be restored, then its deletion.

1. `close_shop`: the shop becomes read-only (billing's `access_for` reads `deletion_due_at`) until
   `SHOP_CLOSURE_GRACE_DAYS` from now; its owners are mailed what happens, when, how to export
   everything first and how to reach support. `restore_shop` lifts it during the grace period.
2. `purge_shop` (a job per shop, once the date has passed; saas.platform.tasks): cancels the Stripe
   subscription (Stripe unreachable: the job fails, nothing is deleted, it runs again later), deletes
   every row of every shop table (children first) and the shop itself, then every stored object
   under its prefix once that commits, and writes what it deleted, table by table, into the audit trail.

Platform rows that point at the shop follow their foreign keys: `stripe_customers` go with it,
`stripe_events` keep their history without the shop; audit entries name the shop by id and stay.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import delete, text

from saas.auth.services import active_owners
from saas.billing.checkout import cancel_for_deletion
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.mail import send_mail
from saas.core.storage import delete_after_commit, get_storage
from saas.core.tasks.queue import QUEUE_SCHEMA
from saas.core.tenancy import cross_tenant_scope, tenant_scope
from saas.core.tenant import Tenant
from saas.platform import audit
from saas.platform.actions import shop_state
from saas.shopdata.archive import shop_tables

log = logging.getLogger(__name__)


class ClosureError(ServiceError):
    """Closing or restoring that is not possible in the shop's current state."""

    status = 409


def grace_days() -> int:
    """How long a closed shop can be restored (SHOP_CLOSURE_GRACE_DAYS)."""
    return int(current_app.config.get("SHOP_CLOSURE_GRACE_DAYS") or 30)


def _shop(tenant_id: int) -> Tenant:
    with tenant_scope(tenant_id):
        tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        raise ClosureError("There is no such shop.", 404)
    return tenant


def _mail_owners(tenant: Tenant, subject: str, template: str) -> int:
    """Mail every active owner of `tenant` (inside its scope); returns how many were mailed."""
    context = {
        "shop": tenant,
        "settings_link": url_for("settings.index", shop=tenant.subdomain, _external=True, _anchor="shop-export"),
        "export_link": url_for("shopdata.export_page", shop=tenant.subdomain, _external=True),
        "support_email": current_app.config.get("SUPPORT_EMAIL") or current_app.config["MAIL_FROM"],
    }
    with tenant_scope(tenant.id):
        owners = active_owners()
        for owner in owners:
            send_mail(owner.email, subject, template, owner=owner, **context)
    return len(owners)


def close_shop(tenant_id: int, reason: str) -> Tenant:
    """Start a shop's grace period: read-only, deleted for good after it; its owners are mailed."""
    tenant = _shop(tenant_id)
    before = shop_state(tenant_id)
    with tenant_scope(tenant_id):
        if tenant.deletion_due_at is not None:
            raise ClosureError(f"This shop is closing already: it is deleted on {tenant.deletion_due_at:%d %b %Y}.")
        tenant.deletion_due_at = utcnow() + timedelta(days=grace_days())
        db.session.flush()
    mailed = _mail_owners(
        tenant, f"{tenant.name} is closing on Workbay: export your data", "platform/email/closure_warning"
    )
    audit.record(
        "shops.close",
        shop_id=tenant_id,
        reason=reason,
        before=before,
        after=shop_state(tenant_id),
        detail=f"{mailed} owner(s) mailed; grace period {grace_days()} days",
    )
    return tenant


def restore_shop(tenant_id: int, reason: str) -> Tenant:
    """End a shop's grace period: nothing is deleted, it works as before; its owners are mailed."""
    tenant = _shop(tenant_id)
    before = shop_state(tenant_id)
    with tenant_scope(tenant_id):
        if tenant.deletion_due_at is None:
            raise ClosureError("This shop is not closing: there is nothing to restore.")
        tenant.deletion_due_at = None
        db.session.flush()
    mailed = _mail_owners(tenant, f"{tenant.name} stays open on Workbay", "platform/email/closure_restored")
    audit.record(
        "shops.restore",
        shop_id=tenant_id,
        reason=reason,
        before=before,
        after=shop_state(tenant_id),
        detail=f"{mailed} owner(s) mailed",
    )
    return tenant


def is_due(tenant: Tenant | None) -> bool:
    """True for a shop whose grace period is over (closing, and its date has passed)."""
    return tenant is not None and tenant.deletion_due_at is not None and tenant.deletion_due_at <= utcnow()


def due_for_deletion():
    """The SQL condition of shops whose grace period is over."""
    return Tenant.deletion_due_at.is_not(None) & (Tenant.deletion_due_at <= utcnow())


_DELETE_WAITING_JOBS = text(
    f"DELETE FROM {QUEUE_SCHEMA}.procrastinate_jobs WHERE status = 'todo' AND args->>'tenant_id' = :tenant_id"
)


@dataclass(frozen=True)
class Purge:
    """What deleting a shop removed."""

    rows: dict[str, int]  # table -> rows deleted (tables without rows left out; `tenants`: the shop itself)
    objects: int
    cancelled_subscription: str | None


def _delete_rows(tenant_id: int) -> dict[str, int]:
    """Delete every row of the shop, children before parents, then the shop; {table: rows} of what went."""
    deleted: dict[str, int] = {}
    for table in reversed(shop_tables()):
        # Core DELETEs: the ORM's guards on single rows (issued invoices never change) are not in the way
        # of deleting a whole shop; row-level security still limits each statement to this shop.
        count = db.session.execute(delete(table).where(table.c.tenant_id == tenant_id)).rowcount
        if count:
            deleted[table.name] = count
    deleted[Tenant.__tablename__] = db.session.execute(delete(Tenant.__table__).where(Tenant.id == tenant_id)).rowcount
    # Jobs still waiting for the shop (reminders, queued mail to its customers) must not run after it is gone.
    waiting = db.session.execute(_DELETE_WAITING_JOBS, {"tenant_id": str(tenant_id)}).rowcount
    if waiting:
        deleted[f"{QUEUE_SCHEMA}.procrastinate_jobs (waiting)"] = waiting
    return deleted


def purge_shop(tenant_id: int) -> Purge | None:
    """Delete a closed shop whose grace period is over (the job's work, as the shop; committed by the job).

    Checked again here: a shop restored (or gone) since the job was queued is left alone (None).
    """
    tenant = db.session.get(Tenant, tenant_id)
    if not is_due(tenant):
        return None
    name, subdomain, due = tenant.name, tenant.subdomain, tenant.deletion_due_at
    keys = get_storage().keys_of_shop(tenant_id)
    cancelled = cancel_for_deletion()  # before any deletion: if Stripe cannot be reached, nothing is deleted
    db.session.expunge(tenant)
    rows = _delete_rows(tenant_id)
    for key in keys:
        delete_after_commit(key)  # the files go once the rows' deletion has committed
    with cross_tenant_scope(f"platform: record the deletion of shop {tenant_id}"):
        audit.record(
            "shops.deleted",
            shop_id=tenant_id,
            reason="Its grace period after closing ended.",
            before={"name": name, "subdomain": subdomain, "deletion_due_at": due.isoformat()},
            after={"rows": rows, "objects": len(keys)},
            detail=f"{name} ({subdomain})" + (f"; Stripe subscription {cancelled} cancelled" if cancelled else ""),
        )
    log.info("shop %s (%s) deleted: %s rows, %s objects", tenant_id, subdomain, sum(rows.values()), len(keys))
    return Purge(rows, len(keys), cancelled)
