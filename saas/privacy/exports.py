"""A person's data export: a ZIP of everything the shop holds about them, built by a background job.

`start_export([customer, ...])` records a `DataExport` and enqueues its job in the same transaction.
The job (`build_export`, as the shop) gathers each customer's records from every feature
(`customers.signals.data_exported`) and their files (`files_exported`), writes the archive to
storage under the shop's prefix, and commits its progress as it goes so the page can show it.
The archive is then reachable through a signed link that expires (`EXPORT_LINK_DAYS`); every
download is in the access log; a daily job deletes expired archives.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import StrEnum

from blinker import Namespace
from flask import current_app, url_for
from sqlalchemy import BigInteger, DateTime, ForeignKeyConstraint, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, selectinload

from saas.auth.tokens import InvalidToken, make_token, read_token
from saas.core.db import Base, TenantScoped, has_many, tenant_fk, utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.storage import build_key, delete_after_commit, get_storage, put_with_transaction
from saas.core.tasks.queue import Job, enqueue
from saas.core.tenancy import active_tenant, active_tenant_id, is_valid_id
from saas.customers import signals as customer_signals
from saas.customers.export import customer_export
from saas.customers.models import Customer
from saas.privacy.archive import Subject, build_archive

log = logging.getLogger(__name__)

export_ready = Namespace().signal(
    "data-export-ready",
    doc="Sender: a DataExport whose archive was just built (e.g. a privacy request's: its requester is told).",
)

BUILD_TASK = "privacy.build_export"
TOKEN_PURPOSE = "data-export"
STORAGE_KIND = "data_exports"
ANY_AGE = 10 * 365 * 24 * 3600  # the export's own expiry decides, not the token's age


class ExportStatus(StrEnum):
    QUEUED = "queued"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"


class ExportError(ServiceError):
    """An export that cannot be made or fetched; the message is safe to show."""


class DataExport(TenantScoped, Base):
    """One ZIP of a person's data (one or more customer records of theirs), from request to expiry."""

    __tablename__ = "data_exports"
    __table_args__ = (Index("ix_data_exports_tenant_id_created_at", "tenant_id", "created_at"),)

    status: Mapped[str] = mapped_column(String(10), default=ExportStatus.QUEUED)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    requested_by_id: Mapped[int | None] = mapped_column(BigInteger)  # staff member; None for a request's job
    request_id: Mapped[int | None] = mapped_column(BigInteger)  # the privacy request it answers, if any
    storage_key: Mapped[str | None] = mapped_column(String(120))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    subjects: Mapped[list[DataExportSubject]] = has_many(
        "DataExportSubject", "DataExport", "export_id", order_by="DataExportSubject.customer_id"
    )

    @property
    def filename(self) -> str:
        return f"data-export-{self.id}-{self.created_at:%Y-%m-%d}.zip"

    @property
    def downloadable(self) -> bool:
        return self.status == ExportStatus.READY and self.expires_at is not None and self.expires_at > utcnow()


class DataExportSubject(TenantScoped, Base):
    """A customer record whose data an export holds."""

    __tablename__ = "data_export_subjects"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "export_id"], ["data_exports.tenant_id", "data_exports.id"], ondelete="CASCADE"
        ),
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        Index("ix_data_export_subjects_tenant_id_export_id", "tenant_id", "export_id"),
        Index("ix_data_export_subjects_tenant_id_customer_id", "tenant_id", "customer_id"),
    )

    export_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)


def link_days() -> int:
    """How long a download link works (EXPORT_LINK_DAYS)."""
    return int(current_app.config.get("EXPORT_LINK_DAYS") or 7)


# --- starting and building ----------------------------------------------------------------


def start_export(customers: list[Customer], *, user=None, request_id: int | None = None) -> DataExport:
    """Record an export of these customer records and enqueue its job (both commit, or neither)."""
    if not customers:
        raise ExportError("There is no customer record to export.")
    export = DataExport(requested_by_id=user.id if user is not None else None, request_id=request_id)
    db.session.add(export)
    db.session.flush()
    db.session.add_all(DataExportSubject(export_id=export.id, customer_id=customer.id) for customer in customers)
    db.session.flush()
    tenant_id = active_tenant_id()
    enqueue(db.session.connection(), [Job(BUILD_TASK, {"tenant_id": tenant_id, "export_id": export.id})])
    return export


def build(export_id: int) -> DataExport | None:
    """Build the archive of an export (the job's work, as the shop); commits its progress as it goes."""
    export = db.session.scalar(select(DataExport).where(DataExport.id == export_id).with_for_update(skip_locked=True))
    if export is None or export.status not in (ExportStatus.QUEUED, ExportStatus.BUILDING):
        return export  # gone, being built by another worker, or already done
    export.status, export.progress = ExportStatus.BUILDING, 0
    db.session.commit()
    shop = active_tenant()
    customers = db.session.scalars(
        select(Customer)
        .options(selectinload(Customer.assets))
        .where(Customer.id.in_(select(DataExportSubject.customer_id).where(DataExportSubject.export_id == export.id)))
        .order_by(Customer.id)
    ).all()
    subjects = [
        Subject(
            customer_export(customer, shop.name),
            [file for _, files in customer_signals.files_exported.send(customer) for file in files or ()],
        )
        for customer in customers
    ]

    def report(done: int, total: int) -> None:
        percent = min(99, done * 100 // max(total, 1))
        if percent != export.progress:
            export.progress = percent
            db.session.commit()

    data = build_archive(shop.name, subjects, report)
    export.storage_key = build_key(active_tenant_id(), STORAGE_KIND)
    put_with_transaction(export.storage_key, data, "application/zip")
    export.size_bytes = len(data)
    export.status, export.progress = ExportStatus.READY, 100
    export.finished_at = utcnow()
    export.expires_at = export.finished_at + timedelta(days=link_days())
    db.session.flush()
    export_ready.send(export)
    return export


def mark_failed(export_id: int, error: Exception) -> None:
    """The job gave up: say so on the export (its page offers to start again)."""
    export = db.session.get(DataExport, (active_tenant_id(), export_id))
    if export is not None and export.status != ExportStatus.READY:
        export.status, export.error = ExportStatus.FAILED, f"{type(error).__name__}"
        db.session.flush()


# --- links and downloads ----------------------------------------------------------------


def download_link(export: DataExport, *, external: bool = False) -> str:
    """The signed link to an export's archive; it stops working when the export expires."""
    token = make_token(TOKEN_PURPOSE, {"t": export.tenant_id, "e": export.id})
    return url_for("privacy_exports.download", shop=active_tenant().subdomain, token=token, _external=external)


def export_for_link(token: str) -> DataExport | None:
    """The export a link names in this shop, whatever its state; None for a broken or foreign link.

    The signature is checked here; whether the archive may still be fetched is the export's own
    expiry (`read_archive`), so an old link gets a clear "expired" rather than "not found".
    """
    try:
        payload = read_token(TOKEN_PURPOSE, token, ANY_AGE)
    except InvalidToken:
        return None
    if payload.get("t") != active_tenant_id() or not is_valid_id(payload.get("e")):
        return None
    return db.session.scalar(select(DataExport).where(DataExport.id == payload["e"]))


def exports_of_customer(customer_id: int, limit: int = 5) -> list[DataExport]:
    """The latest exports that hold a customer's data, newest first."""
    return list(
        db.session.scalars(
            select(DataExport)
            .where(
                DataExport.id.in_(
                    select(DataExportSubject.export_id).where(DataExportSubject.customer_id == customer_id)
                )
            )
            .order_by(DataExport.created_at.desc(), DataExport.id.desc())
            .limit(limit)
        )
    )


def read_archive(export: DataExport) -> bytes:
    """The archive's bytes (ExportError 410 once it expired)."""
    if not export.downloadable:
        raise ExportError("This download has expired. Ask the shop for a new export.", status=410)
    return get_storage().read(export.storage_key)


def expire_due() -> int:
    """Delete the archives of exports whose link has expired (the rows stay as a record); returns how many."""
    due = db.session.scalars(
        select(DataExport).where(DataExport.status == ExportStatus.READY, DataExport.expires_at <= utcnow())
    ).all()
    for export in due:
        delete_after_commit(export.storage_key)
        export.status, export.storage_key = ExportStatus.EXPIRED, None
    db.session.flush()
    return len(due)
