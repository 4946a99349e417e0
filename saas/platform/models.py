"""Platform admins (not members of any shop), their second factor, the log of their cross-tenant work,
and the support visits they make into a shop (which the shop's owner sees)."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Identity, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.auth.models import LoginSessionRecord
from saas.core.crypto import EncryptedString
from saas.core.db import Base, TenantScoped, Timestamped, has_many, tenant_fk, utcnow
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
    # The second factor (TOTP, RFC 6238): the seed, encrypted at rest; when it was confirmed; the last
    # time step a code was accepted for, so a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString())
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # This request's login (`admin:<session>:<token>`), set when its session row is opened or loaded
    # (saas.platform.listeners); not a column.
    session_identity = None

    def get_id(self) -> str:
        """Session identity: this login's session row, valid on the platform console only (an admin
        without one answers an identity that logs nobody in)."""
        return self.session_identity or f"unbound:{self.id}"

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enrolled_at is not None and self.totp_secret is not None

    def can(self, permission: str) -> bool:
        """Platform admins hold no shop permissions."""
        return False

    def may(self, permission: str) -> bool:
        """Whether this admin's console role holds `permission` (saas.platform.access)."""
        return role_may(self.role, permission)

    @property
    def role_label(self) -> str:
        return AdminRole(self.role).label


class PlatformAdminSession(LoginSessionRecord, Base):
    """One console login of a platform admin (a platform table: no shop sees it)."""

    __tablename__ = "platform_admin_sessions"
    __table_args__ = (Index("ix_platform_admin_sessions_admin_id", "admin_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("platform_admins.id", ondelete="CASCADE"))


class RecoveryCode(Base):
    """A one-time code that stands in for the second factor when the phone is lost (stored hashed)."""

    __tablename__ = "platform_recovery_codes"
    __table_args__ = (Index("ix_platform_recovery_codes_admin_id", "admin_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("platform_admins.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PlatformAuditEntry(Base):
    """One record of platform work: who, what, when, from where; for actions on a shop also which
    shop (kept after the shop is deleted), why, and its state before and after."""

    __tablename__ = "platform_audit_entries"
    __table_args__ = (Index("ix_platform_audit_entries_shop_id_created_at", "shop_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("platform_admins.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(80))
    detail: Mapped[str] = mapped_column(Text, default="")
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    shop_id: Mapped[int | None] = mapped_column(BigInteger)  # no foreign key: the entry outlives the shop
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    before: Mapped[dict | None] = mapped_column(JSONB)
    after: Mapped[dict | None] = mapped_column(JSONB)

    admin: Mapped[PlatformAdmin | None] = relationship(lazy="joined")


class SupportVisit(TenantScoped, Base):
    """A platform admin entering a shop as one of its staff, for a reason and a limited time.

    A shop table: the shop's owner sees every visit (who, when, why, what was opened).
    """

    __tablename__ = "support_visits"
    __table_args__ = (
        tenant_fk("user_id", "users", ondelete="CASCADE"),
        Index("ix_support_visits_tenant_id_started_at", "tenant_id", "started_at"),
    )

    admin_id: Mapped[int | None] = mapped_column(BigInteger)  # the platform admin (kept by name below)
    admin_name: Mapped[str] = mapped_column(String(120))
    admin_email: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int] = mapped_column(BigInteger)  # the staff account the admin acts as
    reason: Mapped[str] = mapped_column(Text)
    write_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    entered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the one-time link was used
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    pages: Mapped[list[SupportVisitPage]] = has_many(
        "SupportVisitPage", "SupportVisit", "visit_id", order_by="SupportVisitPage.id"
    )

    @property
    def is_live(self) -> bool:
        """Entered, not ended and not expired."""
        return self.entered_at is not None and self.ended_at is None and self.expires_at > utcnow()


class SupportVisitPage(TenantScoped, Base):
    """One page a support visit opened (or form it sent), for the shop's owner to see."""

    __tablename__ = "support_visit_pages"
    __table_args__ = (
        tenant_fk("visit_id", "support_visits", ondelete="CASCADE"),
        Index("ix_support_visit_pages_tenant_id_visit_id", "tenant_id", "visit_id"),
    )

    visit_id: Mapped[int] = mapped_column(BigInteger)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    status: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
