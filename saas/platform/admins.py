"""Platform admin accounts: create, find, check a password, remember the last login; the owners' changes
to other admins (role, closing an account, resetting a lost second factor), each audited."""

from __future__ import annotations

from flask import abort
from sqlalchemy import func, select

from saas.auth.passwords import hash_password, verify_password
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.tenancy import is_valid_id
from saas.platform import audit, totp
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


# --- managed from the console by the platform's owners --------------------------------------


class AdminAccountError(ServiceError):
    """A change to a platform admin account that is not allowed (the message says why)."""

    status = 409


def all_admins() -> list[PlatformAdmin]:
    """Every platform admin: active ones first, then by name."""
    return list(
        db.session.scalars(
            select(PlatformAdmin).order_by(PlatformAdmin.deactivated_at.is_not(None), func.lower(PlatformAdmin.name))
        )
    )


def get_admin(admin_id: int) -> PlatformAdmin:
    """The admin with this id, or 404."""
    admin = db.session.get(PlatformAdmin, admin_id) if is_valid_id(admin_id) else None
    if admin is None:
        abort(404)
    return admin


def _state(admin: PlatformAdmin) -> dict:
    return {"role": admin.role, "active": admin.is_active, "second_factor": admin.has_second_factor}


def _check_not_self(actor: PlatformAdmin, admin: PlatformAdmin) -> None:
    # Also what keeps an active owner: only owners change accounts, and never their own.
    if actor.id == admin.id:
        raise AdminAccountError("You cannot change your own account here; ask another owner.")


def _change(actor: PlatformAdmin, admin: PlatformAdmin, action: str, reason: str, change) -> PlatformAdmin:
    _check_not_self(actor, admin)
    before = _state(admin)
    change()
    db.session.flush()
    audit.record(action, admin=actor, reason=reason, before=before, after=_state(admin), detail=f"admin {admin.email}")
    return admin


def change_role(actor: PlatformAdmin, admin: PlatformAdmin, role: str, reason: str) -> PlatformAdmin:
    """Make an admin an owner (every action) or support (reads and helps)."""
    try:
        new_role = AdminRole(role)
    except ValueError:
        raise AdminAccountError("Unknown role.", status=400, field="role") from None
    return _change(actor, admin, "admins.change_role", reason, lambda: setattr(admin, "role", new_role))


def deactivate(actor: PlatformAdmin, admin: PlatformAdmin, reason: str) -> PlatformAdmin:
    """Close an admin's account: they cannot log in, their sessions end; the audit trail keeps their name."""

    def change() -> None:
        if not admin.is_active:
            raise AdminAccountError("This account is closed already.")
        admin.deactivated_at = utcnow()
        admin.session_version += 1

    return _change(actor, admin, "admins.deactivate", reason, change)


def reactivate(actor: PlatformAdmin, admin: PlatformAdmin, reason: str) -> PlatformAdmin:
    """Open a closed admin account again."""

    def change() -> None:
        if admin.is_active:
            raise AdminAccountError("This account is open already.")
        admin.deactivated_at = None

    return _change(actor, admin, "admins.reactivate", reason, change)


def reset_second_factor(actor: PlatformAdmin, admin: PlatformAdmin, reason: str) -> PlatformAdmin:
    """For an admin who lost their phone and codes: their next login sets up a new second factor."""
    return _change(actor, admin, "admins.reset_second_factor", reason, lambda: totp.reset_second_factor(admin))
