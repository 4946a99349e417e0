"""Flask-Login wiring: a session identity is only good on the host it was made for."""

from __future__ import annotations

from flask import Flask, abort, flash, redirect, request, url_for
from sqlalchemy import select

from saas.core.errors import wants_json
from saas.core.extensions import db, login_manager
from saas.core.tenancy import current_site, current_tenant


def configure_login(app: Flask) -> None:
    """Bind Flask-Login and tell it where each site's login page is."""
    login_manager.init_app(app)
    login_manager.session_protection = "basic"


LOGIN_VIEWS = {"shop": "auth.login", "platform": "platform.login"}


@login_manager.unauthorized_handler
def send_to_login():
    """Anonymous visitors go to their site's login page, and come back afterwards."""
    login_view = LOGIN_VIEWS.get(current_site().kind)
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
    site = current_site()
    if kind == "staff" and site.kind == "shop" and len(numbers) == 3:
        return _load_staff(*numbers)
    if kind == "admin" and site.kind == "platform" and len(numbers) == 2:
        return _load_platform_admin(*numbers)
    return None


def _load_staff(tenant_id: int, user_id: int, session_version: int):
    from saas.auth.models import User

    tenant = current_tenant._get_current_object()
    if tenant is None or tenant.id != tenant_id:
        return None
    user = db.session.scalar(select(User).where(User.id == user_id))
    if user is None or user.session_version != session_version or not user.is_active:
        return None
    return user


def _load_platform_admin(admin_id: int, session_version: int):
    from saas.platform.models import PlatformAdmin

    admin = db.session.get(PlatformAdmin, admin_id)
    if admin is None or admin.session_version != session_version:
        return None
    return admin
