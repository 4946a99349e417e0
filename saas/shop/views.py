"""The shop's home: the dashboard, and reports for those who may see the money."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from saas.auth.decorators import permission_required
from saas.core.extensions import db
from saas.core.requests import FormPage, PlainText
from saas.core.tenancy import active_tenant
from saas.shop.dashboard import bar_chart, dashboard_figures, open_work_orders_by_status, todays_appointments
from saas.shop.forms import PeriodForm
from saas.shop.kpis import kpis, weekly_revenue
from saas.shop.periods import parse_period, this_month
from saas.shop.reports import invoices_csv, invoices_in, report_rows

bp = Blueprint("shop", __name__, template_folder="templates")

REPORT_PER_PAGE = 50


@bp.route("/")
@login_required
def dashboard():
    """Today at a glance: appointments, work in the shop; this month's money for management."""
    tenant = active_tenant()
    money = None
    if current_user.can("reports.view"):
        month = this_month(tenant)
        weeks = weekly_revenue(tenant)
        money = {
            "month": month,
            "kpis": kpis(month, tenant.currency),
            "weeks": weeks,
            "chart": bar_chart((week.label, week.revenue) for week in weeks),
        }
    return render_template(
        "shop/dashboard.html",
        figures=dashboard_figures(),
        appointments=todays_appointments(tenant) if current_user.can("appointments.view") else None,
        work_orders=open_work_orders_by_status() if current_user.can("workorders.view") else None,
        money=money,
    )


@bp.route("/reports")
@permission_required("reports.view")
def reports():
    """The KPIs of a date range (this month unless chosen) and its invoices."""
    tenant = active_tenant()
    form = PeriodForm(request.args)
    FormPage(
        lambda: render_template("shop/reports.html", error=form.error, start=form.start.data, end=form.end.data), form
    )
    period = parse_period(tenant, form.start.data, form.end.data)
    page = db.paginate(invoices_in(period), per_page=REPORT_PER_PAGE, error_out=False)
    return render_template(
        "shop/reports.html",
        period=period,
        kpis=kpis(period, tenant.currency),
        page=page,
        rows=report_rows(page.items, period.zone),
        start=period.first.isoformat(),
        end=period.last.isoformat(),
    )


@bp.route("/reports/export.csv")
@permission_required("reports.view")
def export_csv():
    """The range's invoices and credit notes as a CSV file for the accountant."""
    tenant = active_tenant()
    form = PeriodForm(request.args)
    PlainText()
    period = parse_period(tenant, form.start.data, form.end.data)
    filename = f"invoices-{tenant.subdomain}-{period.first.isoformat()}-to-{period.last.isoformat()}.csv"
    return Response(
        "".join(invoices_csv(period)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
