"""A stored file: what it is, whose it is, where its bytes live."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, Date, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.db import Base, TenantScoped, Timestamped, belongs_to, tenant_fk


class DocumentKind(StrEnum):
    """What a document is; ID cards and driving licences are sensitive."""

    ID_CARD = "id_card"
    DRIVING_LICENCE = "driving_licence"
    REGISTRATION = "registration"
    AUTHORIZATION = "authorization"
    SUPPLIER_INVOICE = "supplier_invoice"
    PHOTO = "photo"
    OTHER = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    DocumentKind.ID_CARD: "ID card",
    DocumentKind.DRIVING_LICENCE: "Driving licence",
    DocumentKind.REGISTRATION: "Registration papers",
    DocumentKind.AUTHORIZATION: "Signed authorization",
    DocumentKind.SUPPLIER_INVOICE: "Supplier invoice",
    DocumentKind.PHOTO: "Photo",
    DocumentKind.OTHER: "Other",
}
SENSITIVE_KINDS = frozenset({DocumentKind.ID_CARD, DocumentKind.DRIVING_LICENCE})


class Document(TenantScoped, Timestamped, Base):
    """A file attached to a customer, an asset and/or a work order (or an inspection item's photo)."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("tenant_id", "storage_key"),
        tenant_fk("customer_id", "customers"),
        tenant_fk("asset_id", "assets"),
        tenant_fk("work_order_id", "work_orders"),
        tenant_fk("inspection_item_id", "inspection_items"),
        tenant_fk("uploaded_by_id", "users"),
        Index("ix_documents_tenant_id_customer_id", "tenant_id", "customer_id"),
        Index("ix_documents_tenant_id_asset_id", "tenant_id", "asset_id"),
        Index("ix_documents_tenant_id_work_order_id", "tenant_id", "work_order_id"),
        Index("ix_documents_tenant_id_inspection_item_id", "tenant_id", "inspection_item_id"),
    )

    kind: Mapped[str] = mapped_column(String(30), default=DocumentKind.OTHER)
    # ID cards and licences: only the office sees them, and they are purged after `retain_until`.
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    filename: Mapped[str] = mapped_column(String(255))  # display name only, never part of the key
    content_type: Mapped[str] = mapped_column(String(100))  # from the file's magic bytes, not the browser
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    storage_key: Mapped[str] = mapped_column(String(200))  # tenants/<tenant_id>/<kind>/<uuid>
    customer_id: Mapped[int | None] = mapped_column(BigInteger)
    asset_id: Mapped[int | None] = mapped_column(BigInteger)
    work_order_id: Mapped[int | None] = mapped_column(BigInteger)
    inspection_item_id: Mapped[int | None] = mapped_column(BigInteger)
    uploaded_by_id: Mapped[int | None] = mapped_column(BigInteger)
    retain_until: Mapped[date | None] = mapped_column(Date)

    uploaded_by = belongs_to("User", "Document", "uploaded_by_id")

    @property
    def kind_label(self) -> str:
        try:
            return DocumentKind(self.kind).label
        except ValueError:
            return self.kind

    @property
    def public_ref(self) -> str:
        """The random part of the key: names a photo in customer-facing URLs without its id."""
        return self.storage_key.rsplit("/", 1)[-1]
