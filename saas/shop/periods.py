"""Report periods: whole days in the shop's own timezone, and the range a person asks for."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from saas.appointments.slots import shop_zone
from saas.core.db import utcnow
from saas.core.errors import ServiceError

MAX_REPORT_DAYS = 3 * 366  # a range longer than this is refused (a query over years of rows)
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


class ReportError(ServiceError):
    """A report request that cannot be answered; the message is safe to show (`field`: start or end)."""


def zone_of(tenant) -> ZoneInfo:
    """The shop's timezone (UTC if its setting is unknown)."""
    return shop_zone(tenant.timezone)


def shop_today(tenant, now: datetime | None = None) -> date:
    """Today's date where the shop is."""
    return (now or utcnow()).astimezone(zone_of(tenant)).date()


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

    def holds(self, column):
        """SQL: the timestamp `column` falls within the period."""
        return (column >= self.starts_at) & (column < self.ends_at)

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


def this_month(tenant, now: datetime | None = None) -> Period:
    """The shop's current calendar month."""
    today = shop_today(tenant, now)
    last_day = calendar.monthrange(today.year, today.month)[1]
    return Period(today.replace(day=1), today.replace(day=last_day), zone_of(tenant))


def _day(text: str | None, default: date, field: str) -> date:
    if not text or not text.strip():
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ReportError("Dates look like 2026-11-01 (year-month-day).", field=field) from None


def parse_period(tenant, start: str | None, end: str | None, now: datetime | None = None) -> Period:
    """The report period from `?start=YYYY-MM-DD&end=YYYY-MM-DD`; missing ends default to this month's."""
    month = this_month(tenant, now)
    first, last = _day(start, month.first, "start"), _day(end, month.last, "end")
    for day, field in ((first, "start"), (last, "end")):
        if not EARLIEST <= day <= LATEST:
            raise ReportError(f"Pick dates between {EARLIEST.year} and {LATEST.year}.", field=field)
    if last < first:
        raise ReportError("The end date is before the start date.", field="end")
    period = Period(first, last, month.zone)
    if period.days > MAX_REPORT_DAYS:
        raise ReportError("Pick at most three years at a time.", field="end")
    return period
