"""How the platform console plugs into the features below it: its admins' session identity."""

from __future__ import annotations

from saas.auth.sessions import Identity, register_identity
from saas.core.extensions import db
from saas.platform.models import PlatformAdmin


def _load_platform_admin(admin_id: int, session_version: int) -> PlatformAdmin | None:
    admin = db.session.get(PlatformAdmin, admin_id)
    if admin is None or admin.session_version != session_version:
        return None
    return admin


register_identity("admin", Identity("platform", 2, _load_platform_admin, "platform.login"))
