"""Flask-Login wiring: a session identity is only good on the host it was made for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, abort, flash, redirect, request, url_for
from sqlalchemy import select

from saas.auth.models import User
from saas.core.errors import wants_json
from saas.core.extensions import db, login_manager
from saas.core.tenancy import active_tenant, current_site


def configure_login(app: Flask) -> None:
    """Bind Flask-Login and tell it where each site's login page is."""
    login_manager.init_app(app)
    login_manager.session_protection = "basic"


@dataclass(frozen=True)
class Identity:
    """A kind of session identity (`staff:<tenant>:<user>:<version>`): the site it is good on,
    how many numbers it carries, how they become a user, and that site's login page."""

    site_kind: str
    numbers: int
    load: Callable[..., object | None]
    login_view: str


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
    try:
        kind, *parts = identity.split(":")
        numbers = [int(part) for part in parts]
    except (AttributeError, ValueError):
        return None
    known = IDENTITIES.get(kind)
    if known is None or known.site_kind != current_site().kind or len(numbers) != known.numbers:
        return None
    return known.load(*numbers)


def _load_staff(tenant_id: int, user_id: int, session_version: int):
    tenant = active_tenant()
    if tenant is None or tenant.id != tenant_id:
        return None
    user = db.session.scalar(select(User).where(User.id == user_id))
    if user is None or user.session_version != session_version or not user.is_active:
        return None
    return user


register_identity("staff", Identity("shop", 3, _load_staff, "auth.login"))
