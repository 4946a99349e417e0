"""Platform admin accounts: create, find, check a password, remember the last login."""

from __future__ import annotations

from sqlalchemy import select

from saas.auth.passwords import hash_password, verify_password
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.platform.access import AdminRole
from saas.platform.models import PlatformAdmin


def create_admin(email: str, name: str, password: str, role: str = AdminRole.OWNER) -> PlatformAdmin:
    """Add a platform admin with a console role (owner: every action; support: reads and helps).

    The second factor is set up at the first login (saas.platform.totp)."""
    admin = PlatformAdmin(
        email=email.strip().lower(), name=name.strip(), password_hash=hash_password(password), role=AdminRole(role)
    )
    db.session.add(admin)
    db.session.flush()
    return admin


def find_admin(email: str) -> PlatformAdmin | None:
    """The platform admin with this e-mail."""
    return db.session.scalar(select(PlatformAdmin).where(PlatformAdmin.email == email.strip().lower()))


def authenticate_admin(email: str, password: str) -> PlatformAdmin | None:
    """The active admin these credentials belong to, or None."""
    admin = find_admin(email)
    if not verify_password(admin.password_hash if admin else None, password):
        return None
    return admin if admin.is_active else None


def record_admin_login(admin: PlatformAdmin) -> None:
    """Remember the last login time."""
    admin.last_login_at = utcnow()
