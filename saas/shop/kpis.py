"""The shop's money figures, the same on the dashboard and in reports.

Every figure is one aggregate query whatever the number of rows (the query count of a page
does not grow with the shop). Days, weeks and months are the shop's own, in its timezone.

* revenue: the totals of the invoices issued in the period, minus the credit notes issued in
  it; void documents count for nothing;
* invoices: how many invoices (not credit notes) were issued in the period;
* average repair order (ARO): revenue / invoices;
* car count: distinct work orders invoiced in the period;
* approval rate: of the estimate jobs the customer decided on in the period, the share approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Text, case, cast, distinct, func, literal, select

from saas.core.extensions import db
from saas.core.money import ZERO, round_money
from saas.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from saas.shop.periods import Period, shop_today, zone_of
from saas.workorders.models import Approval, Job

CHART_WEEKS = 12


@dataclass(frozen=True)
class Kpis:
    """Revenue and what follows from it, for one period."""

    revenue: Decimal
    invoices: int
    car_count: int
    approved_jobs: int
    decided_jobs: int
    average_repair_order: Decimal | None
    approval_rate: Decimal | None  # 0..1

    @property
    def approval_percent(self) -> int | None:
        """The approval rate as a whole percentage."""
        if self.approval_rate is None:
            return None
        return int((self.approval_rate * 100).to_integral_value(rounding=ROUND_HALF_UP))


def _revenue_amount():
    """Per invoice row: what it adds to revenue (a credit note takes its amount off, whatever its sign)."""
    return case((Invoice.kind == InvoiceKind.INVOICE, Invoice.total), else_=-func.abs(Invoice.total))


def kpis(period: Period, currency: str) -> Kpis:
    """The period's revenue, invoices, ARO, car count and approval rate, in one query."""
    issued = (Invoice.status == InvoiceStatus.ISSUED) & period.holds(Invoice.issued_at)
    is_invoice = Invoice.kind == InvoiceKind.INVOICE
    decided = Job.approval.in_((Approval.APPROVED, Approval.DECLINED)) & period.holds(Job.decided_at)
    row = db.session.execute(
        select(
            select(func.coalesce(func.sum(_revenue_amount()), ZERO)).where(issued).scalar_subquery(),
            select(func.count()).select_from(Invoice).where(issued, is_invoice).scalar_subquery(),
            select(func.count(distinct(Invoice.work_order_id))).where(issued, is_invoice).scalar_subquery(),
            select(func.count()).select_from(Job).where(decided, Job.approval == Approval.APPROVED).scalar_subquery(),
            select(func.count()).select_from(Job).where(decided).scalar_subquery(),
        )
    ).one()
    revenue, invoices, cars, approved, decided_count = row
    revenue = round_money(revenue, currency)
    return Kpis(
        revenue=revenue,
        invoices=invoices,
        car_count=cars,
        approved_jobs=approved,
        decided_jobs=decided_count,
        average_repair_order=round_money(revenue / invoices, currency) if invoices else None,
        approval_rate=(Decimal(approved) / Decimal(decided_count)) if decided_count else None,
    )


@dataclass(frozen=True)
class WeekRevenue:
    """Revenue of the week starting Monday `week_start` (shop time)."""

    week_start: date
    revenue: Decimal

    @property
    def label(self) -> str:
        return f"{self.week_start.day} {self.week_start:%b}"


def weekly_revenue(tenant, weeks: int = CHART_WEEKS, now: datetime | None = None) -> list[WeekRevenue]:
    """Revenue per week for the last `weeks` weeks (this one included), oldest first; one query."""
    zone = zone_of(tenant)
    today = shop_today(tenant, now)
    this_monday = today - timedelta(days=today.weekday())
    first_monday = this_monday - timedelta(weeks=weeks - 1)
    period = Period(first_monday, this_monday + timedelta(days=6), zone)
    local_time = func.timezone(cast(literal(zone.key), Text), Invoice.issued_at)
    week = func.date_trunc("week", local_time).label("week")
    rows = db.session.execute(
        select(week, func.sum(_revenue_amount()))
        .where(Invoice.status == InvoiceStatus.ISSUED, period.holds(Invoice.issued_at))
        .group_by(week)
    ).all()
    by_week = {started.date(): amount for started, amount in rows}
    return [
        WeekRevenue(monday, round_money(by_week.get(monday, ZERO), tenant.currency))
        for monday in (first_monday + timedelta(weeks=n) for n in range(weeks))
    ]
