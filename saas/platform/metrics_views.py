"""Console: how the business is doing, as a page with charts and as CSV (the same figures, one section each)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask import Response, render_template, request
from flask_login import current_user

from saas.core.requests import PlainText
from saas.platform import audit
from saas.platform import metrics as figures
from saas.platform.access import console_required
from saas.platform.blueprint import bp
from saas.shop.dashboard import bar_chart


@bp.route("/metrics")
@console_required("shops.view")
def metrics():
    """Shops by status, sign-ups, conversion, MRR, churn, usage; audited."""
    result = figures.business_metrics(current_user)
    audit.record("metrics.view")
    charts = {
        "signups": bar_chart((week.label, Decimal(week.count)) for week in result.signups),
        "mrr": bar_chart(((plan.name, plan.mrr) for plan in result.revenue.per_plan), height=200),
        "statuses": bar_chart(((status.label, Decimal(status.count)) for status in result.statuses), height=200),
    }
    return render_template(
        "platform/metrics.html", metrics=result, charts=charts, definitions=figures.DEFINITIONS, figures=figures
    )


@bp.route("/metrics.csv")
@console_required("shops.view")
def metrics_csv():
    """The same figures as CSV (every shop's usage, not only the largest); `?figure=` for one; audited."""
    PlainText()
    figure = figures.check_figure(request.args.get("figure", ""))
    result = figures.business_metrics(current_user, usage_limit=None)
    audit.record("metrics.export", detail=f"figure={figure or 'all'}")
    name = f"workbay-metrics{'-' + figure if figure else ''}-{result.now:%Y-%m-%d}.csv"
    return Response(
        render_csv(result, figure),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


# --- CSV -------------------------------------------------------------------------------------------------


def csv_safe(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (=, +, -, @ at the start)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _percent(rate: Decimal | None) -> str:
    return "" if rate is None else f"{rate * 100:.1f}"


USAGE_COLUMNS = (
    "tenant_id", "name", "subdomain", "storage_bytes", "files", "staff", "customers", "work_orders", "invoices"
)  # fmt: skip


def _sections(metrics: figures.Metrics) -> dict[str, list[list]]:
    revenue, churn, conversion = metrics.revenue, metrics.churn, metrics.conversion
    return {
        "statuses": [["status", "shops"], *([status.key, status.count] for status in metrics.statuses)],
        "signups": [["week_starting", "signups"], *([week.monday.isoformat(), week.count] for week in metrics.signups)],
        "conversion": [
            [f"trials_ended_last_{figures.CONVERSION_DAYS}_days", "converted", "conversion_percent"],
            [conversion.trials_ended, conversion.converted, _percent(conversion.rate)],
        ],
        "mrr": [
            ["plan", "subscriptions", "seats", "mrr_usd"],
            *(
                [plan.key, plan.subscriptions, "" if plan.seats is None else plan.seats, plan.mrr]
                for plan in revenue.per_plan
            ),
            ["total", sum(plan.subscriptions for plan in revenue.per_plan), "", revenue.total],
            ["of_which_past_due", "", "", revenue.past_due],
            ["unknown_plan", revenue.unknown_plan, "", ""],
            *(
                ["comped", shop.tenant_id, shop.name, f"{shop.plan} until {shop.until:%Y-%m-%d}"]
                for shop in revenue.comped
            ),
        ],
        "churn": [
            [f"paying_{figures.CHURN_DAYS}_days_ago", "churned", "churn_percent", "lost_mrr_usd"],
            [churn.paying_at_start, churn.churned, _percent(churn.rate), churn.lost_mrr],
        ],
        "usage": [
            [
                "shop_id",
                *USAGE_COLUMNS[1:7],
                f"work_orders_{figures.USAGE_DAYS}_days",
                f"invoices_{figures.USAGE_DAYS}_days",
            ],
            *([getattr(shop, name) for name in USAGE_COLUMNS] for shop in metrics.usage),
        ],
    }


def render_csv(metrics: figures.Metrics, figure: str | None = None) -> str:
    """The figures as CSV: one section per figure (a `# name` line, its header, its rows), or only `figure`."""
    out = io.StringIO()
    writer = csv.writer(out)
    sections = _sections(metrics)
    chosen = [figure] if figure else list(figures.FIGURES)
    for index, name in enumerate(chosen):
        if not figure:
            if index:
                writer.writerow([])
            writer.writerow([f"# {name}", f"as of {metrics.now:%Y-%m-%d %H:%M} UTC"])
        writer.writerows([csv_safe(cell) for cell in row] for row in sections[name])
    return out.getvalue()
