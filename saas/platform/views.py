"""Console: the shops list and a plan set by hand."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from saas.billing.access import admin_set_plan
from saas.billing.plans import all_plans
from saas.core.panels import gather_panels
from saas.core.requests import BackTo
from saas.platform import audit
from saas.platform import shops as shop_queries
from saas.platform.access import console_required
from saas.platform.blueprint import bp
from saas.platform.signals import shop_page_panels


@bp.route("/")
@console_required("shops.view")
def shops():
    """Every shop with status, trial end and staff count; searchable, paginated."""
    search = request.args.get("q", "")[:100]
    page = request.args.get("page", 1, type=int)
    result = shop_queries.shops_overview(current_user, search, page)
    return render_template("platform/shops.html", result=result, search=search, plans=all_plans())


@bp.route("/shops/<int:tenant_id>/plan", methods=["POST"])
@console_required("shops.manage")
def set_plan(tenant_id: int):
    """Put a shop on a plan and status by hand (billing off, or a special arrangement); audited."""
    BackTo(url_for("platform.shops"))
    plan, status = request.form.get("plan", "")[:20], request.form.get("status", "")[:20]
    tenant = admin_set_plan(tenant_id, plan, status)
    audit.record("shops.set_plan", shop_id=tenant_id, detail=f"tenant={tenant_id} plan={plan!r} status={status!r}")
    flash(f"{tenant.name} is now on {plan or 'the trial plan'} ({status.replace('_', ' ')}).", "success")
    return redirect(url_for("platform.shops"))


@bp.route("/shops/<int:tenant_id>")
@console_required("shops.view")
def shop(tenant_id: int):
    """One shop: plan, billing, staff, usage, privacy requests, the actions and their trail."""
    detail = shop_queries.shop_detail(tenant_id)
    panels = gather_panels(shop_page_panels, detail.tenant)
    return render_template("platform/shop.html", detail=detail, panels=panels)
