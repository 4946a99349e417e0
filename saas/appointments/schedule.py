"""The shop's week: its clock (timezone), its opening hours and the services customers can book.

Everything here works on the active shop, flushes and never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from saas.appointments import slots
from saas.appointments.errors import AppointmentError
from saas.appointments.models import BookableService, OpeningHours
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import active_tenant

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MIN_DURATION, MAX_DURATION = 5, 12 * 60
MAX_YEARS_AHEAD = 2


# --- the shop's clock --------------------------------------------------------------------


def shop_zone() -> ZoneInfo:
    """The active shop's timezone (from the request, or its row inside `tenant_scope` in jobs)."""
    return slots.shop_zone(active_tenant().timezone)


def to_utc(day: date, at: time) -> datetime:
    """A date and wall-clock time in the shop's timezone, as UTC."""
    this_year = utcnow().year
    if not this_year - 1 <= day.year <= this_year + MAX_YEARS_AHEAD:
        raise AppointmentError(f"Pick a date within the next {MAX_YEARS_AHEAD} years.", field="day")
    moment = slots.local_datetime(day, at, shop_zone())
    if moment is None:
        raise AppointmentError("That time does not exist on that day (the clocks change). Pick another.", field="start")
    return moment


def local_label(moment: datetime, fmt: str = "%A %d %B %Y, %H:%M") -> str:
    """A UTC time as the shop reads it, e.g. `Tuesday 24 November 2026, 09:00`."""
    return moment.astimezone(shop_zone()).strftime(fmt)


# --- opening hours -----------------------------------------------------------------------


def opening_hours() -> dict[int, tuple[time, time]]:
    """`{weekday: (opens_at, closes_at)}` for the days the shop is open (0 = Monday)."""
    rows = db.session.scalars(select(OpeningHours).order_by(OpeningHours.weekday))
    return {row.weekday: (row.opens_at, row.closes_at) for row in rows}


@dataclass(frozen=True)
class DayHours:
    """One weekday as the settings form sends it."""

    weekday: int
    is_open: bool
    opens_at: time | None = None
    closes_at: time | None = None


def save_opening_hours(days: Iterable[DayHours]) -> None:
    """Replace the shop's opening hours: open days get a row, closed days none."""
    days = list(days)
    for day in days:
        if not 0 <= day.weekday <= 6:
            raise AppointmentError("Unknown weekday.")
        if day.is_open and (day.opens_at is None or day.closes_at is None):
            raise AppointmentError(f"{DAY_NAMES[day.weekday]}: give the opening and the closing time.")
        if day.is_open and day.closes_at <= day.opens_at:
            raise AppointmentError(f"{DAY_NAMES[day.weekday]}: the closing time must be after the opening time.")
    existing = {row.weekday: row for row in db.session.scalars(select(OpeningHours))}
    for day in days:
        row = existing.get(day.weekday)
        if not day.is_open:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = OpeningHours(weekday=day.weekday)
            db.session.add(row)
        row.opens_at = day.opens_at.replace(second=0, microsecond=0)
        row.closes_at = day.closes_at.replace(second=0, microsecond=0)
    db.session.flush()


# --- bookable services -------------------------------------------------------------------


def service_list() -> list[BookableService]:
    """All services: active ones first, then by name."""
    return list(
        db.session.scalars(
            select(BookableService).order_by(BookableService.active.desc(), BookableService.name, BookableService.id)
        )
    )


def online_services() -> list[BookableService]:
    """Services customers may book on the public page."""
    return list(
        db.session.scalars(
            select(BookableService)
            .where(BookableService.online.is_(True), BookableService.active.is_(True))
            .order_by(BookableService.name, BookableService.id)
        )
    )


def bookable_service(service: BookableService) -> BookableService:
    """`service` if customers may book it online, else a 400 with a clear message."""
    if not (service.active and service.online):
        raise AppointmentError("That service cannot be booked online. Please pick one of the services shown.")
    return service


def save_service(
    service: BookableService | None,
    *,
    name: str,
    description: str | None,
    duration_minutes: int,
    online: bool,
    active: bool,
) -> BookableService:
    """Create or change a bookable service; names are unique within the shop (any case)."""
    name = (name or "").strip()
    if not name:
        raise AppointmentError("Give the service a name.", field="name")
    if not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        raise AppointmentError(
            f"A service takes between {MIN_DURATION} and {MAX_DURATION} minutes.", field="duration_minutes"
        )
    clash = select(BookableService.id).where(func.lower(BookableService.name) == name.lower())
    if service is not None:
        clash = clash.where(BookableService.id != service.id)
    if db.session.scalar(clash.limit(1)) is not None:
        raise AppointmentError(f"There is already a service called “{name}”.", field="name")
    if service is None:
        service = BookableService()
        db.session.add(service)
    service.name = name
    service.description = (description or "").strip()
    service.duration_minutes = duration_minutes
    service.online = online
    service.active = active
    db.session.flush()
    return service
