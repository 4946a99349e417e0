"""The export of all of a shop's data: a ZIP of every table and every stored file, built by a job.

`start_export(...)` records a `ShopExport` in the active shop and enqueues its job in the same
transaction. The job (`build`, as the shop) writes the archive (`archive.ShopArchive`) to a
temporary file table by table, then file by file, committing its progress as it goes so the
pages can show it; the archive is stored under the shop's prefix and can be downloaded until
`EXPORT_LINK_DAYS` have passed; a daily job deletes expired archives (the rows stay as a record).

Rows are read with an explicit `tenant_id = shop` condition while the job runs as that shop, so the
query, the ORM's scoping and row-level security all agree on whose rows these are.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta

from flask import Response, current_app
from sqlalchemy import select

from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.storage import ObjectMissing, build_key, delete_after_commit, get_storage, put_with_transaction
from saas.core.tasks.queue import Job, enqueue
from saas.core.tenancy import active_tenant_id
from saas.core.tenant import Tenant
from saas.shopdata.archive import ShopArchive, exported_columns, secret_columns, shop_tables
from saas.shopdata.models import ShopExport, ShopExportStatus

log = logging.getLogger(__name__)

BUILD_TASK = "shopdata.build_export"
STORAGE_KIND = "shop_exports"
# Archives of earlier exports (this one's and a person's) are not the shop's data: never exported again.
SKIPPED_KINDS = frozenset({STORAGE_KIND, "data_exports"})
ROWS_PER_FETCH = 500
UNFINISHED = (ShopExportStatus.QUEUED, ShopExportStatus.BUILDING)


class ShopExportError(ServiceError):
    """An export that cannot be started or fetched; the message is safe to show."""


def link_days() -> int:
    """How long an export can be downloaded (EXPORT_LINK_DAYS)."""
    return int(current_app.config.get("EXPORT_LINK_DAYS") or 7)


# --- starting and building ----------------------------------------------------------------


def start_export(*, user_id: int | None = None, admin_id: int | None = None) -> ShopExport:
    """Record an export of the active shop and enqueue its job (both commit, or neither).

    One at a time: while an export is being prepared, another is refused (409).
    """
    if db.session.scalar(select(ShopExport.id).where(ShopExport.status.in_(UNFINISHED)).limit(1)) is not None:
        raise ShopExportError("An export is being prepared already; its download appears when it is ready.", 409)
    export = ShopExport(requested_by_user_id=user_id, requested_by_admin_id=admin_id)
    db.session.add(export)
    db.session.flush()
    tenant_id = active_tenant_id()
    enqueue(db.session.connection(), [Job(BUILD_TASK, {"tenant_id": tenant_id, "export_id": export.id})])
    return export


def _kind_and_name(key: str) -> tuple[str, str]:
    _, _, kind, name = key.split("/", 3)
    return kind, name


def build(export_id: int) -> ShopExport | None:
    """Build an export's archive (the job's work, as the shop); commits its progress as it goes."""
    export = db.session.scalar(select(ShopExport).where(ShopExport.id == export_id).with_for_update(skip_locked=True))
    if export is None or export.status not in UNFINISHED:
        return export  # gone, being built by another worker, or already done
    export.status, export.progress = ShopExportStatus.BUILDING, 0
    db.session.commit()
    tenant_id = active_tenant_id()
    storage = get_storage()
    tables = shop_tables()
    keys = [key for key in storage.keys_of_shop(tenant_id) if _kind_and_name(key)[0] not in SKIPPED_KINDS]
    total, done = len(tables) + len(keys), 0

    def advance() -> None:
        nonlocal done
        done += 1
        percent = min(99, done * 100 // max(total, 1))
        if percent != export.progress:
            export.progress = percent
            db.session.commit()  # between tables and files only: no query is being read at this point

    made = utcnow()
    with tempfile.TemporaryFile() as target:
        archive = ShopArchive(target)
        shop = db.session.execute(select(Tenant.__table__).where(Tenant.id == tenant_id)).mappings().one()
        archive.add_shop(shop)
        for table in tables:
            columns = exported_columns(table)
            rows = db.session.execute(
                select(*columns)
                .where(table.c.tenant_id == tenant_id)
                .order_by(*table.primary_key.columns)
                .execution_options(yield_per=ROWS_PER_FETCH)
            ).mappings()
            archive.add_table(table.name, [column.name for column in columns], rows)
            advance()
        for key in keys:
            kind, name = _kind_and_name(key)
            try:
                archive.add_file(f"files/{kind}/{name}", storage.read(key))
            except ObjectMissing:
                archive.note_missing(f"files/{kind}/{name}")
            advance()
        archive.finish(shop["name"], made, secret_columns(tables))
        size = target.tell()
        target.seek(0)
        data = target.read()  # the storage backends take bytes: the finished archive is read once, to upload it
    export.storage_key = build_key(tenant_id, STORAGE_KIND)
    put_with_transaction(export.storage_key, data, "application/zip")
    export.size_bytes = size
    export.status, export.progress = ShopExportStatus.READY, 100
    export.finished_at = utcnow()
    export.expires_at = export.finished_at + timedelta(days=link_days())
    db.session.flush()
    log.info("shop export %s of shop %s: %s bytes, %s files", export.id, tenant_id, size, archive.summary.files)
    return export


def mark_failed(export_id: int, error: Exception) -> None:
    """The job gave up: say so on the export (the page offers to start again)."""
    export = db.session.get(ShopExport, (active_tenant_id(), export_id))
    if export is not None and export.status != ShopExportStatus.READY:
        export.status, export.error = ShopExportStatus.FAILED, type(error).__name__
        db.session.flush()


# --- reading and downloading ----------------------------------------------------------------


def latest_exports(limit: int = 5) -> list[ShopExport]:
    """The active shop's latest exports, newest first (one query)."""
    return list(
        db.session.scalars(select(ShopExport).order_by(ShopExport.created_at.desc(), ShopExport.id.desc()).limit(limit))
    )


def download(export: ShopExport) -> Response:
    """The archive as an attachment (ShopExportError 410 once it expired, 409 while not ready or failed)."""
    if export.status in UNFINISHED:
        raise ShopExportError("This export is still being prepared.", 409)
    if export.status == ShopExportStatus.FAILED:
        raise ShopExportError("This export failed. Please start a new one.", 409)
    if not export.downloadable:
        raise ShopExportError("This export has expired and its archive was deleted. Start a new export.", 410)
    return get_storage().download(export.storage_key, export.filename, "application/zip")


def expire_due() -> int:
    """Delete the archives of the active shop's exports whose link expired (rows stay, marked expired)."""
    due = db.session.scalars(
        select(ShopExport).where(ShopExport.status == ShopExportStatus.READY, ShopExport.expires_at <= utcnow())
    ).all()
    for export in due:
        delete_after_commit(export.storage_key)
        export.status, export.storage_key = ShopExportStatus.EXPIRED, None
    db.session.flush()
    return len(due)
