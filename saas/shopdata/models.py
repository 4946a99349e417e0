"""The exports of a whole shop's data."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.db import Base, TenantScoped, utcnow


class ShopExportStatus(StrEnum):
    QUEUED = "queued"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"


class ShopExport(TenantScoped, Base):
    """One ZIP of everything a shop holds (JSON and CSV per table, plus its stored files).

    Asked for by the shop's owner (`requested_by_user_id`) or a platform admin (`requested_by_admin_id`).
    """

    __tablename__ = "shop_exports"
    __table_args__ = (Index("ix_shop_exports_tenant_id_created_at", "tenant_id", "created_at"),)

    status: Mapped[str] = mapped_column(String(10), default=ShopExportStatus.QUEUED)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    requested_by_user_id: Mapped[int | None] = mapped_column(BigInteger)
    requested_by_admin_id: Mapped[int | None] = mapped_column(BigInteger)
    storage_key: Mapped[str | None] = mapped_column(String(120))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def filename(self) -> str:
        return f"shop-export-{self.tenant_id}-{self.id}-{self.created_at:%Y-%m-%d}.zip"

    @property
    def downloadable(self) -> bool:
        return self.status == ShopExportStatus.READY and self.expires_at is not None and self.expires_at > utcnow()
