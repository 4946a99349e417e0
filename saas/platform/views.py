"""Platform console: admin login and the list of shops."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from saas.auth.decorators import safe_next_url
from saas.auth.forms import LoginForm
from saas.billing.access import admin_set_plan
from saas.billing.plans import all_plans
from saas.core.extensions import limiter
from saas.core.requests import BackTo
from saas.platform import services as platform
from saas.platform.access import console_required

bp = Blueprint("platform", __name__, template_folder="templates")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    """Platform admins log in here (shop staff accounts do not work)."""
    if current_user.is_authenticated:
        return redirect(url_for("platform.shops"))
    form = LoginForm()
    if form.validate_on_submit():
        admin = platform.authenticate_admin(form.email.data, form.password.data)
        if admin is None:
            flash("Those credentials do not match a platform admin.", "error")
            return render_template("platform/login.html", form=form), 401
        login_user(admin, remember=False)
        platform.record_admin_login(admin)
        platform.audit(admin, "login", ip_address=request.remote_addr)
        return redirect(safe_next_url(request.args.get("next")) or url_for("platform.shops"))
    return render_template("platform/login.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout():
    """End the admin session."""
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("platform.login"))


@bp.route("/")
@console_required("shops.view")
def shops():
    """Every shop with status, trial end and staff count; searchable, paginated."""
    search = request.args.get("q", "")[:100]
    page = request.args.get("page", 1, type=int)
    result = platform.shops_overview(current_user, search, page, request.remote_addr)
    return render_template("platform/shops.html", result=result, search=search, plans=all_plans())


@bp.route("/shops/<int:tenant_id>/plan", methods=["POST"])
@console_required("shops.manage")
def set_plan(tenant_id: int):
    """Put a shop on a plan and status by hand (billing off, or a special arrangement); audited."""
    BackTo(url_for("platform.shops"))
    plan, status = request.form.get("plan", "")[:20], request.form.get("status", "")[:20]
    tenant = admin_set_plan(tenant_id, plan, status)
    platform.audit(
        current_user, "shops.set_plan", f"tenant={tenant_id} plan={plan!r} status={status!r}", request.remote_addr
    )
    flash(f"{tenant.name} is now on {plan or 'the trial plan'} ({status.replace('_', ' ')}).", "success")
    return redirect(url_for("platform.shops"))
