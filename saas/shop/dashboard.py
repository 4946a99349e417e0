"""The dashboard's other figures: counts at a glance, today's appointments, open work, a bar chart.

Each is one query whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from saas.appointments.models import Appointment, AppointmentStatus
from saas.auth.models import Invitation, User
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.money import ZERO
from saas.customers.models import Customer
from saas.shop.periods import Period, shop_today, zone_of
from saas.workorders.models import Status, WorkOrder

CLOSED_STATUSES = (Status.CLOSED, Status.CANCELLED)


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
    day = Period(today, today, zone_of(tenant))
    return list(
        db.session.scalars(
            select(Appointment)
            .options(
                selectinload(Appointment.customer), selectinload(Appointment.service), selectinload(Appointment.asset)
            )
            .where(day.holds(Appointment.starts_at), Appointment.status != AppointmentStatus.CANCELLED)
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
