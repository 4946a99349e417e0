"""When a privacy request must be answered: the legal deadline rules, in one place.

Dates, not times: a deadline is a calendar day in the shop's own time zone, met when the
answer goes out by the end of that day. The day a request is received is read in the shop's
zone too (a request sent at 23:30 UTC is "tomorrow" in Tokyo).

* GDPR (Art. 12(3)), the default everywhere: one calendar month from receipt, to the same
  date next month; when next month has no such date (31 January), the last day of that month
  (28 or 29 February). It may be extended by up to two further months, counted from receipt
  in the same way (31 January + 3 months = 30 April, not 28 February + 2 months).
* CCPA/CPRA (California, 11 CCR §7021): 45 calendar days from receipt, extendable once by
  45 more (90 in all).

Either extension must be decided, and the requester told why, before the deadline passes (on
the due day at the latest). A request is urgent when `URGENT_DAYS` or fewer days remain,
overdue the day after its due date.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Jurisdiction(StrEnum):
    """Which deadline rules a shop's requests follow."""

    GDPR = "gdpr"
    CCPA = "ccpa"

    @property
    def label(self) -> str:
        """How the rules are named in the settings and on a request."""
        return JURISDICTION_LABELS[self]


JURISDICTION_LABELS = {
    Jurisdiction.GDPR: "One calendar month (GDPR, UK GDPR; the default)",
    Jurisdiction.CCPA: "45 days (California: CCPA/CPRA)",
}
URGENT_DAYS = 5
CCPA_DAYS = 45
CCPA_EXTENSION_DAYS = 45
GDPR_EXTENSION_MONTHS = (1, 2)  # "by up to two further months"


@dataclass(frozen=True)
class Extension:
    """One way to extend a request: its form value, its label and the new due date."""

    key: str
    label: str
    due_on: date


def add_months(day: date, months: int) -> date:
    """The same date `months` later; the last day of that month when it has no such date."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar day `moment` (aware) falls on in `zone`."""
    return moment.astimezone(zone).date()


def due_on(received_on: date, jurisdiction: str) -> date:
    """The legal deadline of a request received on `received_on`: CCPA's where named, else GDPR's (the shorter)."""
    if jurisdiction == Jurisdiction.CCPA:
        return received_on + timedelta(days=CCPA_DAYS)
    return add_months(received_on, 1)


def extensions(received_on: date, due: date, jurisdiction: str) -> list[Extension]:
    """The extensions the law allows for a request due on `due` (its first deadline)."""
    if jurisdiction == Jurisdiction.CCPA:
        return [
            Extension(str(CCPA_EXTENSION_DAYS), f"By {CCPA_EXTENSION_DAYS} days", due + timedelta(CCPA_EXTENSION_DAYS))
        ]
    return [
        Extension(str(months), f"By {months} month{'s' if months > 1 else ''}", add_months(received_on, 1 + months))
        for months in GDPR_EXTENSION_MONTHS
    ]


def may_extend(due: date, today: date) -> bool:
    """An extension is decided before the deadline passes: on the due day at the latest."""
    return today <= due


def days_left(due: date, today: date) -> int:
    """Whole days until the deadline (0 on the due day, negative once it has passed)."""
    return (due - today).days


def urgency(due: date, today: date) -> str | None:
    """How close the deadline is: "overdue" after the due day, "urgent" with `URGENT_DAYS` or fewer days left."""
    left = days_left(due, today)
    if left < 0:
        return "overdue"
    if left <= URGENT_DAYS:
        return "urgent"
    return None


def urgent_cutoff(today: date) -> date:
    """Requests due on or before this day are urgent or overdue (for queries)."""
    return today + timedelta(days=URGENT_DAYS)
