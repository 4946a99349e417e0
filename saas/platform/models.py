"""Platform admins (not members of any shop) and the log of their cross-tenant work."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.db import Base, Timestamped, utcnow
from saas.platform.access import AdminRole, role_may


class PlatformAdmin(UserMixin, Timestamped, Base):
    """Someone who runs the platform from admin.<host>."""

    __tablename__ = "platform_admins"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    role: Mapped[str] = mapped_column(String(20), default=AdminRole.OWNER, server_default="owner")

    def get_id(self) -> str:
        """Session identity, valid on the platform console only."""
        return f"admin:{self.id}:{self.session_version}"

    def can(self, permission: str) -> bool:
        """Platform admins hold no shop permissions."""
        return False

    def may(self, permission: str) -> bool:
        """Whether this admin's console role holds `permission` (saas.platform.access)."""
        return role_may(self.role, permission)

    @property
    def role_label(self) -> str:
        return AdminRole(self.role).label


class PlatformAuditEntry(Base):
    """One record of platform work that crossed tenants: who, what, when, from where."""

    __tablename__ = "platform_audit_entries"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("platform_admins.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(80))
    detail: Mapped[str] = mapped_column(Text, default="")
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
