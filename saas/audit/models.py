"""The access log: who opened, exported or downloaded whose personal data, when, from where."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.db import Base, TenantScoped, belongs_to, tenant_fk, utcnow


class AccessLogEntry(TenantScoped, Base):
    """One access to personal data. Written by `saas.audit.services.log_access`."""

    __tablename__ = "access_log_entries"
    __table_args__ = (
        tenant_fk("user_id", "users"),
        Index("ix_access_log_entries_tenant_id_created_at", "tenant_id", "created_at"),
        Index("ix_access_log_entries_tenant_id_subject", "tenant_id", "subject_type", "subject_id"),
    )

    user_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(40))  # view | export | download | ...
    subject_type: Mapped[str] = mapped_column(String(40))  # customer | document | ...
    subject_id: Mapped[int | None] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(300), default="")
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user = belongs_to("User", "AccessLogEntry", "user_id")
