"""Records of which version of our terms and privacy policy someone accepted, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.db import Base, TenantScoped, tenant_fk, utcnow


class PolicyAcceptance(TenantScoped, Base):
    """A staff member accepted `document` at `version` (kept as proof of consent)."""

    __tablename__ = "policy_acceptances"
    __table_args__ = (tenant_fk("user_id", "users", ondelete="CASCADE"),)

    user_id: Mapped[int] = mapped_column(BigInteger)
    document: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(20))
    accepted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(String(45))
