"""The shop's figures: dashboard and reports.

Every figure is one aggregate query whatever the number of rows (the query count of a page
does not grow with the shop). Days, weeks and months are the shop's own, in its timezone.

Definitions (the same on the dashboard and in reports):

* revenue: the totals of the invoices issued in the period, minus the credit notes issued in
  it; void documents count for nothing;
* invoices: how many invoices (not credit notes) were issued in the period;
* average repair order (ARO): revenue / invoices;
* car count: distinct work orders invoiced in the period;
* approval rate: of the estimate jobs the customer decided on in the period, the share approved.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, Text, case, cast, distinct, func, literal, select
from sqlalchemy.orm import selectinload

from saas.appointments.models import Appointment, AppointmentStatus
from saas.auth.models import Invitation, User
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.money import ZERO, round_money
from saas.customers.models import Customer
from saas.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from saas.invoicing.standing import Position, credited_amounts, position_of
from saas.workorders.models import Approval, Job, Status, WorkOrder

CHART_WEEKS = 12
MAX_REPORT_DAYS = 3 * 366  # a range longer than this is refused (a query over years of rows)
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)
CLOSED_STATUSES = (Status.CLOSED, Status.CANCELLED)


class ReportError(ServiceError):
    """A report request that cannot be answered; the message is safe to show."""


# --- periods in the shop's time ---------------------------------------------------------------


def shop_zone(tenant) -> ZoneInfo:
    """The shop's timezone (UTC if its setting is unknown)."""
    try:
        return ZoneInfo(tenant.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def shop_today(tenant, now: datetime | None = None) -> date:
    """Today's date where the shop is."""
    return (now or utcnow()).astimezone(shop_zone(tenant)).date()


@dataclass(frozen=True)
class Period:
    """Whole days `first`..`last` (inclusive) in the shop's timezone."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=self.zone)

    @property
    def ends_at(self) -> datetime:
        """The first moment after the period (midnight after `last`)."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=self.zone)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def label(self) -> str:
        """`1–30 Nov 2026`, `28 Nov – 3 Dec 2026` or `1 Dec 2026 – 31 Jan 2027`."""
        first, last = self.first, self.last
        if first == last:
            return f"{first.day} {first:%b %Y}"
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}–{last.day} {last:%b %Y}"
        if first.year == last.year:
            return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
        return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"


def month_of(day: date, zone: ZoneInfo) -> Period:
    """The calendar month that contains `day`."""
    last_day = calendar.monthrange(day.year, day.month)[1]
    return Period(day.replace(day=1), day.replace(day=last_day), zone)


def parse_period(tenant, start: str | None, end: str | None, now: datetime | None = None) -> Period:
    """The report period from `?start=YYYY-MM-DD&end=YYYY-MM-DD`; missing ends default to this month's."""
    zone = shop_zone(tenant)
    month = month_of(shop_today(tenant, now), zone)
    first, last = month.first, month.last
    try:
        if start and start.strip():
            first = date.fromisoformat(start.strip())
        if end and end.strip():
            last = date.fromisoformat(end.strip())
    except ValueError:
        raise ReportError("Dates look like 2026-11-01 (year-month-day).") from None
    if min(first, last) < EARLIEST or max(first, last) > LATEST:
        raise ReportError(f"Pick dates between {EARLIEST.year} and {LATEST.year}.")
    if last < first:
        raise ReportError("The end date is before the start date.")
    period = Period(first, last, zone)
    if period.days > MAX_REPORT_DAYS:
        raise ReportError("Pick at most three years at a time.")
    return period


# --- the figures ------------------------------------------------------------------------------


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


def _in_period(column, period: Period):
    return (column >= period.starts_at) & (column < period.ends_at)


def kpis(period: Period, currency: str) -> Kpis:
    """The period's revenue, invoices, ARO, car count and approval rate, in one query."""
    issued = (Invoice.status == InvoiceStatus.ISSUED) & _in_period(Invoice.issued_at, period)
    is_invoice = Invoice.kind == InvoiceKind.INVOICE
    decided = Job.approval.in_((Approval.APPROVED, Approval.DECLINED)) & _in_period(Job.decided_at, period)
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
    zone = shop_zone(tenant)
    today = shop_today(tenant, now)
    this_monday = today - timedelta(days=today.weekday())
    first_monday = this_monday - timedelta(weeks=weeks - 1)
    period = Period(first_monday, this_monday + timedelta(days=6), zone)
    local_time = func.timezone(cast(literal(zone.key), Text), Invoice.issued_at)
    week = func.date_trunc("week", local_time).label("week")
    rows = db.session.execute(
        select(week, func.sum(_revenue_amount()))
        .where(Invoice.status == InvoiceStatus.ISSUED, _in_period(Invoice.issued_at, period))
        .group_by(week)
    ).all()
    by_week = {started.date(): amount for started, amount in rows}
    return [
        WeekRevenue(monday, round_money(by_week.get(monday, ZERO), tenant.currency))
        for monday in (first_monday + timedelta(weeks=n) for n in range(weeks))
    ]


@dataclass(frozen=True)
class Bar:
    """One bar of a chart, in the SVG's coordinates."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: Decimal


@dataclass(frozen=True)
class BarChart:
    """A bar chart laid out for a `width` x `height` SVG viewBox (labels below the baseline)."""

    bars: list[Bar]
    width: int
    height: int
    baseline: float
    top: float  # where a bar of `top_value` ends
    top_value: Decimal

    @property
    def empty(self) -> bool:
        return all(bar.value == ZERO for bar in self.bars)


def bar_chart(points: Iterable[tuple[str, Decimal]], width: int = 600, height: int = 220) -> BarChart:
    """Lay out bars for (label, value) points; negative values hang below the baseline."""
    points = list(points)
    plot_top, plot_bottom = 24.0, height - 28.0  # room for the top value and the labels
    highest = max((value for _, value in points), default=ZERO)
    lowest = min((value for _, value in points), default=ZERO)
    span = max(highest, ZERO) - min(lowest, ZERO)
    scale = (plot_bottom - plot_top) / float(span) if span else 0.0
    baseline = plot_top + float(max(highest, ZERO)) * scale if span else plot_bottom
    slot = width / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        size = abs(float(value)) * scale
        top = baseline - size if value >= ZERO else baseline
        bars.append(
            Bar(round(index * slot + slot * 0.15, 2), round(top, 2), round(slot * 0.7, 2), round(size, 2), label, value)
        )
    return BarChart(bars, width, height, round(baseline, 2), plot_top, max(highest, ZERO))


@dataclass(frozen=True)
class DashboardFigures:
    """What the dashboard shows at a glance."""

    customers: int
    staff: int
    open_invitations: int


def dashboard_figures() -> DashboardFigures:
    """Counts for the current shop, in one query."""
    row = db.session.execute(
        select(
            select(func.count()).select_from(Customer).scalar_subquery(),
            select(func.count()).select_from(User).where(User.is_active_account.is_(True)).scalar_subquery(),
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
            .scalar_subquery(),
        )
    ).one()
    return DashboardFigures(*row)


def todays_appointments(tenant, now: datetime | None = None) -> list[Appointment]:
    """Today's appointments (shop time) that are not cancelled, by start time; one query."""
    today = shop_today(tenant, now)
    day = Period(today, today, shop_zone(tenant))
    return list(
        db.session.scalars(
            select(Appointment)
            .options(
                selectinload(Appointment.customer), selectinload(Appointment.service), selectinload(Appointment.asset)
            )
            .where(_in_period(Appointment.starts_at, day), Appointment.status != AppointmentStatus.CANCELLED)
            .order_by(Appointment.starts_at, Appointment.id)
        )
    )


def open_work_orders_by_status() -> list[tuple[Status, int]]:
    """How many work orders wait in each status before closing, in the flow's order; one query."""
    counts = dict(
        db.session.execute(
            select(WorkOrder.status, func.count())
            .where(WorkOrder.status.not_in(CLOSED_STATUSES))
            .group_by(WorkOrder.status)
        ).all()
    )
    return [(status, counts[status]) for status in Status if status in counts]


# --- the reports page and its CSV ---------------------------------------------------------------


def invoices_in(period: Period) -> Select:
    """Invoices and credit notes issued in `period` (void ones too), oldest first."""
    return (
        select(Invoice)
        .where(_in_period(Invoice.issued_at, period))
        .order_by(Invoice.issued_at, Invoice.kind, Invoice.number)
    )


@dataclass(frozen=True)
class ReportRow:
    """One document in the report: what it says and where it stands."""

    invoice: Invoice
    number: str
    issued_on: date
    position: Position

    @property
    def status(self) -> str:
        return self.position.label


def report_rows(invoices: list[Invoice], zone: ZoneInfo, now: datetime | None = None) -> list[ReportRow]:
    """Rows for `invoices` with their standing (one query for all their credit notes)."""
    credited = credited_amounts(invoice.id for invoice in invoices if invoice.kind == InvoiceKind.INVOICE)
    return [
        ReportRow(
            invoice,
            invoice.document_number,
            invoice.issued_at.astimezone(zone).date(),
            position_of(invoice, credited.get(invoice.id, ZERO), now),
        )
        for invoice in invoices
    ]


CSV_HEADER = ("Number", "Date", "Customer", "Subtotal", "Tax", "Total", "Paid", "Status")
CSV_BATCH = 500


def _cell(text: str) -> str:
    """Text as a spreadsheet will not run it as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def invoices_csv(period: Period, now: datetime | None = None) -> Iterator[str]:
    """The period's invoices as CSV text, header first, read from the database in batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_HEADER)
    yield flush()
    offset = 0
    while True:
        batch = list(db.session.scalars(invoices_in(period).offset(offset).limit(CSV_BATCH)))
        for row in report_rows(batch, period.zone, now):
            invoice = row.invoice
            writer.writerow(
                (
                    row.number,
                    row.issued_on.isoformat(),
                    _cell(invoice.bill_to_name),
                    invoice.subtotal,
                    invoice.tax_total,
                    invoice.total,
                    invoice.amount_paid,
                    row.status,
                )
            )
        yield flush()
        if len(batch) < CSV_BATCH:
            return
        offset += CSV_BATCH
