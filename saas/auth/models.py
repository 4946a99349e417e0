"""Staff accounts and invitations. Both belong to one shop."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.auth.roles import Role, role_can
from saas.core.db import Base, TenantScoped, Timestamped, tenant_fk, utcnow


class User(UserMixin, TenantScoped, Timestamped, Base):
    """A staff member of one shop. The same e-mail at two shops is two accounts."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("tenant_id", "email"),)

    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.TECHNICIAN)
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped on password change, deactivation or "log out everywhere": every session row of the
    # account is revoked in the same flush (saas.auth.session_store).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # This request's login (`staff:<tenant>:<session>:<token>`), set when its session row is opened or
    # loaded (saas.auth.sessions); not a column.
    session_identity = None

    def __repr__(self) -> str:
        return f"<User {self.email} of tenant {self.tenant_id}>"

    def get_id(self) -> str:
        """Session identity: this login's session row, never the account alone (an account without one
        answers an identity that logs nobody in)."""
        return self.session_identity or f"unbound:{self.tenant_id}:{self.id}"

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def role_label(self) -> str:
        """The role as people read it."""
        return Role(self.role).label

    def can(self, permission: str) -> bool:
        """True if this staff member's role holds `permission`."""
        return role_can(self.role, permission)


class Invitation(TenantScoped, Timestamped, Base):
    """An e-mailed invitation to join a shop's staff with a role."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "token_hash"),
        tenant_fk("invited_by_id", "users", ondelete="CASCADE"),
    )

    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64))
    invited_by_id: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    invited_by: Mapped[User] = relationship(
        primaryjoin="and_(User.tenant_id == foreign(Invitation.tenant_id), User.id == foreign(Invitation.invited_by_id))",
        viewonly=True,
        lazy="joined",
    )

    @property
    def is_open(self) -> bool:
        """Not accepted, not revoked, not expired."""
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > utcnow()

    @property
    def role_label(self) -> str:
        return Role(self.role).label


class LoginSessionRecord:
    """The columns of a server-side login session (one row per login; saas.auth.session_store).

    The browser's cookies (the session and the "keep me logged in" one) carry the row's id and a random
    token whose hash is kept here: a row that is revoked, expired or unknown logs nobody in.
    """

    token_hash: Mapped[str] = mapped_column(String(64))
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    @property
    def is_open(self) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and self.expires_at > utcnow()

    @property
    def device(self) -> str:
        """The browser and system, as people name them ("Firefox on Windows"), from the user agent."""
        return describe_browser(self.user_agent)


# Looked for in this order: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_browser(user_agent: str | None) -> str:
    """A short name of a browser from its user agent; "Unknown browser" when it says nothing we know."""
    user_agent = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Unknown browser"


class StaffSession(LoginSessionRecord, TenantScoped, Base):
    """One login of a staff member at their shop (a shop table: it never logs anyone in elsewhere)."""

    __tablename__ = "staff_sessions"
    __table_args__ = (
        tenant_fk("user_id", "users", ondelete="CASCADE"),
        Index("ix_staff_sessions_tenant_id_user_id", "tenant_id", "user_id"),
    )

    user_id: Mapped[int] = mapped_column(BigInteger)
