"""Who may do what on the platform console: two roles, one table, one decorator for every console view.

* support: reads everything, helps shops (support access), retries failed jobs;
* owner: every action (plans, trials, suspensions, exports, closing shops, admin accounts).

`console_required(permission)` is the only gate a console view needs: a platform admin must be
logged in on the console host (shop accounts never are: their session identity is refused there)
and their role must hold the permission, else 403.
"""

from __future__ import annotations

from enum import StrEnum
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


class AdminRole(StrEnum):
    SUPPORT = "support"
    OWNER = "owner"

    @property
    def label(self) -> str:
        return self.value.capitalize()


EVERYONE = frozenset(AdminRole)
OWNERS = frozenset({AdminRole.OWNER})

PERMISSIONS: dict[str, frozenset[AdminRole]] = {
    "shops.view": EVERYONE,  # the shops, a shop's page, metrics, the audit log, the health page
    "shops.support": EVERYONE,  # enter a shop as one of its users (support access)
    "jobs.retry": EVERYONE,  # retry a failed background job
    "shops.manage": OWNERS,  # trials, plans, suspension, exports, closing a shop
    "admins.manage": OWNERS,  # platform admin accounts
}


def role_may(role: str, permission: str) -> bool:
    """True if `role` holds `permission`; unknown roles and permissions are refused."""
    try:
        return AdminRole(role) in PERMISSIONS.get(permission, frozenset())
    except ValueError:
        return False


def console_required(permission: str):
    """A console view: a logged-in platform admin whose role holds `permission` (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.may(permission):
                abort(403, "Your console role does not allow this. Ask an owner of the platform.")
            return view(*args, **kwargs)

        return wrapped

    return decorator
