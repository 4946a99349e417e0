"""Console sign-in: password, then the second factor (TOTP or a recovery code); logout."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from saas.auth.decorators import safe_next_url
from saas.auth.forms import LoginForm
from saas.core.extensions import limiter
from saas.platform import admins, audit
from saas.platform.blueprint import bp


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    """Platform admins log in here (shop staff accounts do not work)."""
    if current_user.is_authenticated:
        return redirect(url_for("platform.shops"))
    form = LoginForm()
    if form.validate_on_submit():
        admin = admins.authenticate_admin(form.email.data, form.password.data)
        if admin is None:
            flash("Those credentials do not match a platform admin.", "error")
            return render_template("platform/login.html", form=form), 401
        login_user(admin, remember=False)
        admins.record_admin_login(admin)
        audit.record("login", admin=admin)
        return redirect(safe_next_url(request.args.get("next")) or url_for("platform.shops"))
    return render_template("platform/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    """End the admin session."""
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("platform.login"))
