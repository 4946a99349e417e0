"""View decorators that gate what each role may do."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user, login_required


def permission_required(permission: str):
    """Log in first; then answer 403 unless the user's role holds `permission`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.can(permission):
                abort(403, "Your role does not allow this. Ask the shop's owner if you need it.")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next_url(target: str | None) -> str | None:
    """Accept only a path on this host as a `next` target (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
