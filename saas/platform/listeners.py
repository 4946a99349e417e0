"""How the platform console plugs into the features below it: its admins' session rows and identity."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from saas.auth import session_store
from saas.auth.sessions import Identity, log_in, register_identity
from saas.core.extensions import db
from saas.platform.models import PlatformAdmin, PlatformAdminSession


def admin_idle_limit() -> timedelta:
    """How long an unused console login lives on the server: the idle limit, plus the few minutes
    `last_seen_at` may lag behind (the console's own idle check, on the session, is to the second)."""
    return timedelta(minutes=current_app.config["ADMIN_IDLE_MINUTES"]) + session_store.TOUCH_EVERY


def log_in_admin(admin: PlatformAdmin) -> None:
    """Open a session row for `admin` and log this browser in with it (never remembered)."""
    row, token = session_store.open_session(admin, admin_idle_limit())
    log_in(admin, f"admin:{row.id}:{token}", remember=False)


def _load_platform_admin(session_id: int, token: str) -> PlatformAdmin | None:
    found = db.session.execute(
        select(PlatformAdminSession, PlatformAdmin)
        .join(PlatformAdmin, PlatformAdmin.id == PlatformAdminSession.admin_id)
        .where(PlatformAdminSession.id == session_id)
    ).first()
    if found is None:
        return None
    row, admin = found
    if not session_store.accept(row, token, admin_idle_limit()):
        return None
    admin.session_identity = f"admin:{session_id}:{token}"
    return admin


session_store.register_session_table(PlatformAdminSession, PlatformAdmin, "admin_id")
register_identity("admin", Identity("platform", 1, _load_platform_admin, "platform.login", token=True))
