"""Flask-Login wiring: a session identity names one login's row, on the host it was made for.

An identity is `kind:<numbers>[:<token>]`: `staff:<tenant>:<session>:<token>` for a staff login
(a `StaffSession` row of that shop, `saas.auth.session_store`), `admin:<session>:<token>` for the
console (saas.platform.listeners), `support:<tenant>:<visit>:<user>` for a support visit (its own
row, saas.platform.support). The same identity is in the session cookie and in the "keep me logged
in" cookie, so revoking the row ends both. A kind is good on one kind of site only, and the staff
loader also checks the shop: replayed on another host, an identity logs nobody in.

Every login starts from an empty session (`log_in`): whatever the browser's session held before
(someone else's identity, a planted value) is gone, and the login gets a new row: no fixation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_login import login_user, user_logged_out
from sqlalchemy import and_, select

from saas.auth import session_store
from saas.auth.models import StaffSession, User
from saas.core.errors import wants_json
from saas.core.extensions import db, login_manager
from saas.core.tenancy import active_tenant, current_site, is_valid_id

_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,100}")
KEPT_ACROSS_LOGIN = ("_flashes",)  # what a login keeps of the session before it: messages still to show


def configure_login(app: Flask) -> None:
    """Bind Flask-Login and tell it where each site's login page is."""
    login_manager.init_app(app)
    login_manager.session_protection = "basic"


@dataclass(frozen=True)
class Identity:
    """A kind of session identity: the site it is good on, how many numbers it carries (and whether a
    session token follows them), how they become a user, and that site's login page."""

    site_kind: str
    numbers: int
    load: Callable[..., object | None]
    login_view: str
    token: bool = False


IDENTITIES: dict[str, Identity] = {}


def register_identity(kind: str, identity: Identity) -> None:
    """Let sessions carry identities of `kind` (features above auth add theirs, e.g. platform admins)."""
    IDENTITIES[kind] = identity


@login_manager.unauthorized_handler
def send_to_login():
    """Anonymous visitors go to their site's login page, and come back afterwards."""
    site_kind = current_site().kind
    login_view = next((i.login_view for i in IDENTITIES.values() if i.site_kind == site_kind), None)
    if login_view is None or wants_json():
        abort(401)
    flash("Please log in to continue.", "info")
    return redirect(url_for(login_view, next=request.full_path.rstrip("?")))


@login_manager.user_loader
def load_user(identity: str):
    """Turn the session's identity back into a user, or None if it does not belong here.

    A staff identity names its shop: replayed on another shop's host it is worthless.
    A platform identity works only on the platform console.
    """
    kind, _, rest = identity.partition(":") if isinstance(identity, str) else ("", "", "")
    known = IDENTITIES.get(kind)
    if known is None or known.site_kind != current_site().kind:
        return None
    parts = rest.split(":")
    token = parts.pop() if known.token else None
    if known.token and not _TOKEN.fullmatch(token or ""):
        return None
    if len(parts) != known.numbers or not all(part.isascii() and part.isdigit() for part in parts):
        return None
    numbers = [int(part) for part in parts]
    if not all(is_valid_id(number) for number in numbers):
        return None
    return known.load(*numbers, token) if known.token else known.load(*numbers)


def log_in(account, identity: str, *, remember: bool = False) -> None:
    """Log `account` in as `identity` (its new session row) in a fresh session: nothing of the session
    before survives but the flash messages still to show."""
    kept = {key: session[key] for key in KEPT_ACROSS_LOGIN if key in session}
    session.clear()
    session.update(kept)
    account.session_identity = identity
    login_user(account, remember=remember)


@user_logged_out.connect
def _logging_out_ends_the_row(sender, user=None, **details) -> None:
    # Every way out (the logout button, the console's idle limit, entering a support visit) revokes
    # this login's row, so a copy of its cookies stops working too.
    session_store.end_current_session()


# --- staff ----------------------------------------------------------------------------------


def staff_lifetime(remember: bool) -> timedelta:
    """How long a staff login lasts: the remember cookie's life, else a session's (after the last request)."""
    return current_app.config["REMEMBER_COOKIE_DURATION" if remember else "PERMANENT_SESSION_LIFETIME"]


def log_in_staff(user: User, remember: bool = False) -> None:
    """Open a session row for `user` at their shop and log this browser in with it."""
    row, token = session_store.open_session(user, staff_lifetime(remember), remember=remember)
    log_in(user, f"staff:{user.tenant_id}:{row.id}:{token}", remember=remember)


def _load_staff(tenant_id: int, session_id: int, token: str):
    tenant = active_tenant()
    if tenant is None or tenant.id != tenant_id:
        return None
    found = db.session.execute(
        select(StaffSession, User)
        .join(User, and_(User.tenant_id == StaffSession.tenant_id, User.id == StaffSession.user_id))
        .where(StaffSession.id == session_id)
    ).first()
    if found is None:
        return None
    row, user = found
    # A remembered login ends with its cookie; any other slides on while it is used.
    idle = None if row.remember else staff_lifetime(False)
    if not user.is_active or not session_store.accept(row, token, idle):
        return None
    user.session_identity = f"staff:{tenant_id}:{session_id}:{token}"
    return user


session_store.register_session_table(StaffSession, User, "user_id")
register_identity("staff", Identity("shop", 2, _load_staff, "auth.login", token=True))
