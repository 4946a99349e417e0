"""Staff accounts and invitations. Both belong to one shop."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Boolean, DateTime, Integer, String, UniqueConstraint
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
    # Bumped on password change or deactivation: every older session stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)

    def __repr__(self) -> str:
        return f"<User {self.email} of tenant {self.tenant_id}>"

    def get_id(self) -> str:
        """Session identity: bound to the shop and to the current session version."""
        return f"staff:{self.tenant_id}:{self.id}:{self.session_version}"

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
