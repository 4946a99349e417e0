"""Rules for documents: what may be uploaded, where it goes, who sees it, and nothing left behind.

An upload is checked completely before anything is stored (size, the shop's quota, the type
read from the file's first bytes). Then the object is put, the row inserted, and if the row
cannot be written the object is deleted again. The session keeps a list of objects put in
the current transaction: a rollback (or a request that ends without committing) deletes them,
and objects of documents deleted in the transaction are removed only once it commits, so the
bucket and the table never disagree for long in either direction.

Who may do what is decided here too: uploading to a customer, an asset or a work order, seeing
ID cards and licences, deleting. Services flush and never commit; the request layer commits once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from flask import Response, current_app
from sqlalchemy import Select, and_, delete, func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage

from saas.audit.services import log_access
from saas.core import limits
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.storage import (
    ObjectMissing,
    StorageError,
    build_key,
    delete_after_commit,
    get_storage,
    put_with_transaction,
)
from saas.core.tenancy import active_tenant_id, tenant_scope
from saas.core.tenant import Tenant
from saas.customers.models import Asset, Customer
from saas.customers.signals import ExportedFile
from saas.documents.files import (
    ALLOWED_TYPES,
    TYPE_NAMES,
    clean_filename,
    human_size,
    name_for_type,
    sniff_content_type,
)
from saas.documents.models import SENSITIVE_KINDS, Document, DocumentKind
from saas.workorders.models import WorkOrder

log = logging.getLogger(__name__)

SENSITIVE_PERMISSION = "documents.sensitive"
# Who may add documents to what: the office to customers and their assets, everyone to work orders
# (technicians take photos of the cars they work on).
UPLOAD_PERMISSIONS = {"customer": "customers.edit", "asset": "customers.edit", "work_order": "workorders.view"}


class DocumentError(ServiceError):
    """An upload or a document action that breaks a rule; the message is safe to show."""


# --- checks ------------------------------------------------------------------------------------


def max_file_bytes() -> int:
    """The largest single upload (DOCUMENT_MAX_BYTES)."""
    return int(current_app.config.get("DOCUMENT_MAX_BYTES") or 10 * 1024 * 1024)


def storage_quota_bytes(tenant) -> int | None:
    """How many bytes `tenant` may store in all (None: no limit): its plan's allowance, capped by
    the platform-wide DOCUMENT_QUOTA_BYTES when that is set."""
    with tenant_scope(tenant.id):
        caps = [limits.allowance("storage_bytes"), current_app.config.get("DOCUMENT_QUOTA_BYTES")]
    caps = [int(cap) for cap in caps if cap not in (None, "")]
    return min(caps) if caps else None


def read_upload(upload: FileStorage | None, allowed: frozenset[str] = ALLOWED_TYPES) -> tuple[bytes, str]:
    """The upload's bytes and its sniffed type, or a DocumentError with a clear message and status."""
    if upload is None or not isinstance(upload, FileStorage) or (not upload.filename and not upload.content_length):
        raise DocumentError("Choose a file to upload.")
    limit = max_file_bytes()
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise DocumentError(f"That file is larger than {human_size(limit)}; upload a smaller one.", status=413)
    if not data:
        raise DocumentError("That file is empty.")
    content_type = sniff_content_type(data[:32])
    if content_type not in allowed:
        names = ", ".join(sorted({TYPE_NAMES[t] for t in allowed}))
        raise DocumentError(f"That file is not a {names} file (whatever its name says).", status=415)
    return data, content_type


# --- usage -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """Stored bytes and number of documents of a shop."""

    bytes: int
    count: int


def storage_usage() -> Usage:
    """The current shop's usage (one query)."""
    total, count = db.session.execute(select(func.coalesce(func.sum(Document.size_bytes), 0), func.count())).one()
    return Usage(int(total), int(count))


def usage_by_tenant_query() -> Select:
    """(tenant_id, bytes, count) per shop, for the platform console (run inside a cross-tenant scope)."""
    return select(
        Document.tenant_id,
        func.coalesce(func.sum(Document.size_bytes), 0).label("bytes"),
        func.count().label("count"),
    ).group_by(Document.tenant_id)


# --- storing -----------------------------------------------------------------------------------


def _may_see_sensitive(user) -> bool:
    return user is not None and user.can(SENSITIVE_PERMISSION)


def may_upload(user, owner_kind: str) -> bool:
    """True if `user` may add documents to a `owner_kind` ("customer", "asset", "work_order")."""
    return user.can(UPLOAD_PERMISSIONS[owner_kind])


def store_document(
    upload: FileStorage | None,
    *,
    kind: str,
    uploaded_by=None,
    customer: Customer | None = None,
    asset: Asset | None = None,
    work_order: WorkOrder | None = None,
    inspection_item_id: int | None = None,
    allowed: frozenset[str] = ALLOWED_TYPES,
) -> Document:
    """Check an upload, store its bytes under a fresh key and record it; nothing is left on failure.

    The owners are rows already loaded within the current shop (callers use `get_or_404`).
    """
    owners = [name for name, row in (("customer", customer), ("asset", asset), ("work_order", work_order)) if row]
    if not owners:
        raise DocumentError("A document belongs to a customer, a vehicle or device, or a work order.")
    if uploaded_by is not None and not all(may_upload(uploaded_by, owner) for owner in owners):
        raise DocumentError("Your role does not allow adding documents here.", status=403)
    if kind not in set(DocumentKind):
        raise DocumentError("Choose what kind of document this is.")
    sensitive = kind in SENSITIVE_KINDS
    if sensitive and uploaded_by is not None and not _may_see_sensitive(uploaded_by):
        raise DocumentError("Only the office may upload ID cards and driving licences.", status=403)
    data, content_type = read_upload(upload, allowed)
    tenant_id = active_tenant_id()
    # Lock the shop's row until commit: uploads of one shop queue here, so two at the same
    # moment cannot both squeeze under the quota.
    shop = db.session.scalar(select(Tenant).where(Tenant.id == tenant_id).with_for_update())
    quota = storage_quota_bytes(shop)
    if quota is not None:
        used = storage_usage().bytes
        if used + len(data) > quota:
            raise DocumentError(
                f"Your shop's storage is full ({human_size(used)} of {human_size(quota)}). "
                "Delete documents you no longer need, or upgrade your plan.",
                413,
            )
    retention_days = int(current_app.config.get("DOCUMENT_SENSITIVE_RETENTION_DAYS") or 365)
    document = Document(
        kind=kind,
        sensitive=sensitive,
        filename=clean_filename(upload.filename, content_type),
        content_type=content_type,
        size_bytes=len(data),
        storage_key=build_key(tenant_id, kind),
        customer_id=customer.id if customer is not None else None,
        asset_id=asset.id if asset is not None else None,
        work_order_id=work_order.id if work_order is not None else None,
        inspection_item_id=inspection_item_id,
        uploaded_by_id=uploaded_by.id if uploaded_by is not None else None,
        retain_until=date.today() + timedelta(days=retention_days) if sensitive else None,
    )
    try:
        put_with_transaction(document.storage_key, data, content_type)  # put first, row second
    except StorageError as error:
        log.exception("upload to storage failed")
        raise DocumentError("The file could not be stored just now. Please try again.", status=503) from error
    db.session.add(document)
    db.session.flush()
    return document


# --- reading -----------------------------------------------------------------------------------


def visible(query: Select, user) -> Select:
    """`query` without the sensitive documents `user` may not see."""
    return query if _may_see_sensitive(user) else query.where(Document.sensitive.is_(False))


def documents_query(user, *, customer_id=None, asset_id=None, work_order_id=None) -> Select:
    """Documents attached to one owner (not inspection photos of a work order), newest first."""
    query = (
        select(Document)
        .options(selectinload(Document.uploaded_by))
        .order_by(Document.created_at.desc(), Document.id.desc())
    )
    if customer_id is not None:
        query = query.where(Document.customer_id == customer_id)
    if asset_id is not None:
        query = query.where(Document.asset_id == asset_id)
    if work_order_id is not None:
        query = query.where(Document.work_order_id == work_order_id, Document.inspection_item_id.is_(None))
    return visible(query, user)


def check_may_see(document: Document, user) -> None:
    """Refuse a sensitive document to a role that may not see it (403)."""
    if document.sensitive and not _may_see_sensitive(user):
        raise DocumentError("Only the office may open ID cards and driving licences.", status=403)


def download_name(document: Document) -> str:
    """The name a download carries: the stored one, with the extension of the stored type (names stored
    before uploads were renamed, e.g. `x.html` holding a PDF, are fixed here)."""
    return name_for_type(document.filename, document.content_type)


def stored_file(document: Document) -> Response:
    """The document's file as an attachment with its stored type, never sniffed: a redirect to a
    short-lived presigned URL on S3, the bytes from the local folder. 410 when the object is gone,
    503 when storage cannot answer."""
    try:
        response = get_storage().download(document.storage_key, download_name(document), document.content_type)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    except ObjectMissing as error:
        raise DocumentError("This file is no longer in storage.", status=410) from error
    except StorageError as error:
        log.exception("download from storage failed")
        raise DocumentError("The file cannot be fetched just now. Please try again.", status=503) from error


def download(document: Document, user) -> Response:
    """`user` downloads a document: refused if sensitive and not theirs to see, else the file, logged."""
    check_may_see(document, user)
    response = stored_file(document)
    log_download(document)
    return response


def subject_customer_id(document: Document) -> int | None:
    """The customer a document is about (directly, through the asset or the work order)."""
    if document.customer_id is not None:
        return document.customer_id
    if document.asset_id is not None:
        return db.session.scalar(select(Asset.customer_id).where(Asset.id == document.asset_id))
    if document.work_order_id is not None:
        return db.session.scalar(select(WorkOrder.customer_id).where(WorkOrder.id == document.work_order_id))
    return None


def log_download(document: Document) -> None:
    """Write the download of a personal document to the access log."""
    customer_id = subject_customer_id(document)
    description = f"Downloaded {document.kind_label.lower()} “{document.filename}”"
    if customer_id is not None:
        log_access("download", "customer", customer_id, description)
    else:
        log_access("download", "document", document.id, description)


# --- deleting ----------------------------------------------------------------------------------


def may_delete(document: Document, user) -> bool:
    """The office deletes any document; others only what they uploaded."""
    return user.can("customers.edit") or document.uploaded_by_id == user.id


def delete_document(document: Document, user) -> None:
    """`user` deletes a document: the row now, its object once the transaction commits."""
    if not may_delete(document, user):
        raise DocumentError("Only the office or the person who uploaded it may delete a document.", status=403)
    check_may_see(document, user)
    delete_after_commit(document.storage_key)
    db.session.delete(document)
    db.session.flush()


def _customer_documents(customer_id: int) -> Select:
    assets = select(Asset.id).where(Asset.customer_id == customer_id)
    work_orders = select(WorkOrder.id).where(WorkOrder.customer_id == customer_id)
    return select(Document).where(
        or_(
            Document.customer_id == customer_id,
            Document.asset_id.in_(assets),
            and_(Document.work_order_id.in_(work_orders), Document.kind != DocumentKind.SUPPLIER_INVOICE),
        )
    )


def documents_of_customer(customer_id: int) -> list[Document]:
    """Every document about a customer (theirs, their assets', their work orders'), oldest first."""
    return list(db.session.scalars(_customer_documents(customer_id).order_by(Document.created_at, Document.id)))


def exported_files_of_customer(customer_id: int) -> list[ExportedFile]:
    """The customer's documents as files of their data export, read from storage when the archive is built."""
    storage = get_storage()
    return [
        ExportedFile(f"documents/{document.id}-{download_name(document)}", partial(storage.read, document.storage_key))
        for document in documents_of_customer(customer_id)
    ]


def delete_documents_of_customer(customer_id: int) -> int:
    """Erasure: remove every document about a customer (theirs, their assets', their work orders'
    photos and papers; supplier invoices stay, they are the shop's bookkeeping). Returns how many.

    Rows go now, objects once the transaction commits.
    """
    documents = list(db.session.scalars(_customer_documents(customer_id)))
    for document in documents:
        delete_after_commit(document.storage_key)
    if documents:
        db.session.execute(
            delete(Document).where(Document.id.in_([document.id for document in documents])),
            execution_options={"synchronize_session": False},
        )
        for document in documents:
            db.session.expunge(document)
    db.session.flush()
    return len(documents)
