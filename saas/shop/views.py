"""The shop's home: the dashboard, and reports for those who may see the money."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from saas.auth.decorators import permission_required
from saas.core.extensions import db
from saas.core.tenancy import active_tenant
from saas.shop import services

bp = Blueprint("shop", __name__, template_folder="templates")

REPORT_PER_PAGE = 50


@bp.route("/")
@login_required
def dashboard():
    """Today at a glance: appointments, work in the shop; this month's money for management."""
    tenant = active_tenant()
    money = None
    if current_user.can("reports.view"):
        today = services.shop_today(tenant)
        month = services.month_of(today, services.shop_zone(tenant))
        weeks = services.weekly_revenue(tenant)
        money = {
            "month": month,
            "kpis": services.kpis(month, tenant.currency),
            "weeks": weeks,
            "chart": services.bar_chart((week.label, week.revenue) for week in weeks),
        }
    return render_template(
        "shop/dashboard.html",
        figures=services.dashboard_figures(),
        appointments=services.todays_appointments(tenant) if current_user.can("appointments.view") else None,
        work_orders=services.open_work_orders_by_status() if current_user.can("workorders.view") else None,
        money=money,
    )


@bp.route("/reports")
@permission_required("reports.view")
def reports():
    """The KPIs of a date range (this month unless chosen) and its invoices."""
    tenant = active_tenant()
    start, end = request.args.get("start", "")[:20], request.args.get("end", "")[:20]
    try:
        period = services.parse_period(tenant, start, end)
    except services.ReportError as error:
        return render_template("shop/reports.html", error=str(error), start=start, end=end), 400
    page = db.paginate(services.invoices_in(period), per_page=REPORT_PER_PAGE, error_out=False)
    return render_template(
        "shop/reports.html",
        period=period,
        kpis=services.kpis(period, tenant.currency),
        page=page,
        rows=services.report_rows(page.items, period.zone),
        start=period.first.isoformat(),
        end=period.last.isoformat(),
    )


@bp.route("/reports/export.csv")
@permission_required("reports.view")
def export_csv():
    """The range's invoices and credit notes as a CSV file for the accountant."""
    tenant = active_tenant()
    try:
        period = services.parse_period(tenant, request.args.get("start", "")[:20], request.args.get("end", "")[:20])
    except services.ReportError as error:
        return Response(f"{error}\n", status=400, mimetype="text/plain")
    filename = f"invoices-{tenant.subdomain}-{period.first.isoformat()}-to-{period.last.isoformat()}.csv"
    return Response(
        "".join(services.invoices_csv(period)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
