"""Time arithmetic for appointments: bookable slots and the calendar's layout.

Pure functions, no database: times are stored in UTC and a shop thinks in its own
timezone, so everything here takes the shop's `ZoneInfo` and returns aware datetimes.
Opening hours are given as `{weekday: (opens_at, closes_at)}` with 0 = Monday.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SLOT_STEP = timedelta(minutes=30)
BOOKING_DAYS = 14

Hours = Mapping[int, tuple[time, time]]
Interval = tuple[datetime, datetime]


def shop_zone(name: str | None) -> ZoneInfo:
    """The shop's timezone; UTC when it is unset or unknown (never an error page)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_datetime(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """`day` at wall-clock `at` in `zone`, in UTC; None when that time does not exist (DST gap)."""
    local = datetime.combine(day, at, tzinfo=zone)
    as_utc = local.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return as_utc


def local_day_bounds(day: date, zone: ZoneInfo) -> Interval:
    """Start and end (UTC) of the local calendar day `day`, DST-safe."""
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def slot_grid(
    hours: Hours,
    duration: timedelta,
    zone: ZoneInfo,
    first_day: date,
    days: int = BOOKING_DAYS,
    step: timedelta = SLOT_STEP,
) -> list[datetime]:
    """Every start time (UTC) within opening hours where `duration` fits, ignoring bookings."""
    starts: list[datetime] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        opening = hours.get(day.weekday())
        if opening is None:
            continue
        opens_at, closes_at = opening
        cursor = datetime.combine(day, opens_at)
        last_start = datetime.combine(day, closes_at) - duration
        while cursor <= last_start:
            start = local_datetime(day, cursor.time(), zone)
            if start is not None:
                starts.append(start)
            cursor += step
    return starts


def overlaps(start: datetime, end: datetime, busy: Sequence[Interval]) -> bool:
    """True when [start, end) meets any of the `busy` intervals."""
    return any(busy_start < end and busy_end > start for busy_start, busy_end in busy)


def free_slots(
    hours: Hours,
    busy: Iterable[Interval],
    duration: timedelta,
    zone: ZoneInfo,
    now: datetime,
    days: int = BOOKING_DAYS,
    step: timedelta = SLOT_STEP,
) -> list[datetime]:
    """Start times (UTC) from today (shop time) for `days` days that fit and are free and ahead."""
    ordered = sorted(busy)
    begins = [b[0] for b in ordered]
    today = now.astimezone(zone).date()
    result = []
    for start in slot_grid(hours, duration, zone, today, days, step):
        if start <= now:
            continue
        # Only bookings that begin before this slot ends can overlap it; one that ends after it starts does.
        position = bisect.bisect_left(begins, start + duration)
        if not any(busy_end > start for _, busy_end in ordered[:position]):
            result.append(start)
    return result


def group_by_local_day(slots: Iterable[datetime], zone: ZoneInfo) -> list[tuple[date, list[datetime]]]:
    """Slots grouped under their local date, in order (for the booking page)."""
    groups: dict[date, list[datetime]] = {}
    for slot in slots:
        groups.setdefault(slot.astimezone(zone).date(), []).append(slot)
    return list(groups.items())


# --- the calendar's layout -------------------------------------------------------------------


@dataclass
class Placed:
    """Something drawn on a day column: `top` and `height` are percentages of the visible hours."""

    top: float
    height: float
    item: object = None


@dataclass
class CalendarDay:
    """One column of the calendar: its date, the shaded opening hours and the appointments."""

    day: date
    is_today: bool
    opening: tuple[time, time] | None
    open_band: Placed | None = None
    placed: list[Placed] = field(default_factory=list)
    off_grid: list[object] = field(default_factory=list)  # cancelled / no-show: listed, not drawn


DEFAULT_FIRST_HOUR = 8
DEFAULT_LAST_HOUR = 18


def visible_hours(days: Sequence[date], hours: Hours, appointments: Iterable, zone: ZoneInfo) -> tuple[int, int]:
    """The hour range the calendar shows: the opening hours of these days, widened to fit the appointments."""
    first, last = [], []
    for day in days:
        opening = hours.get(day.weekday())
        if opening:
            first.append(opening[0].hour)
            last.append(opening[1].hour + (1 if opening[1].minute else 0))
    for appointment in appointments:
        start = appointment.starts_at.astimezone(zone)
        end = appointment.ends_at.astimezone(zone)
        first.append(start.hour)
        last.append(24 if end.date() > start.date() else end.hour + (1 if end.minute else 0))
    low = min(first) if first else DEFAULT_FIRST_HOUR
    high = max(last) if last else DEFAULT_LAST_HOUR
    if high <= low:
        high = min(24, low + 1)
    return low, high


def _minutes(moment: datetime | time) -> int:
    return moment.hour * 60 + moment.minute


def _place(start_minute: int, end_minute: int, low: int, high: int, item=None) -> Placed | None:
    span = (high - low) * 60
    top = max(start_minute - low * 60, 0)
    bottom = min(end_minute - low * 60, span)
    if bottom <= top:
        return None
    return Placed(top=round(top * 100 / span, 3), height=round((bottom - top) * 100 / span, 3), item=item)


def lay_out(
    days: Sequence[date],
    hours: Hours,
    appointments: Sequence,
    zone: ZoneInfo,
    today: date,
    live_statuses: frozenset[str],
) -> tuple[list[CalendarDay], tuple[int, int]]:
    """Columns for `days` with opening hours shaded and appointments placed by their local time."""
    drawn = [a for a in appointments if a.status in live_statuses]
    low, high = visible_hours(days, hours, drawn, zone)
    columns = {day: CalendarDay(day, day == today, hours.get(day.weekday())) for day in days}
    for column in columns.values():
        if column.opening:
            column.open_band = _place(_minutes(column.opening[0]), _minutes(column.opening[1]), low, high)
    for appointment in appointments:
        start = appointment.starts_at.astimezone(zone)
        end = appointment.ends_at.astimezone(zone)
        column = columns.get(start.date())
        if column is None:
            continue
        if appointment.status not in live_statuses:
            column.off_grid.append(appointment)
            continue
        end_minute = 24 * 60 if end.date() > start.date() else _minutes(end)
        placed = _place(_minutes(start), max(end_minute, _minutes(start) + 15), low, high, appointment)
        if placed is not None:
            column.placed.append(placed)
    return list(columns.values()), (low, high)
