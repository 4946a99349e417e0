"""The deadline rules of privacy requests: calendar months, month ends, leap years, 45-day periods,
extensions, urgency, and the day of receipt read in the shop's own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from saas.privacy.deadlines import (
    Jurisdiction,
    add_months,
    days_left,
    due_on,
    extensions,
    local_date,
    may_extend,
    urgency,
    urgent_cutoff,
)

GDPR, CCPA = Jurisdiction.GDPR, Jurisdiction.CCPA


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2027, 3, 15), date(2027, 4, 15)),  # the same date next month
        (date(2027, 1, 31), date(2027, 2, 28)),  # no 31 February: the last day of February
        (date(2028, 1, 31), date(2028, 2, 29)),  # a leap year: 29 February
        (date(2028, 1, 29), date(2028, 2, 29)),
        (date(2027, 1, 29), date(2027, 2, 28)),
        (date(2027, 1, 28), date(2027, 2, 28)),
        (date(2028, 2, 29), date(2028, 3, 29)),  # from a leap day: the 29th, not the month's end
        (date(2027, 2, 28), date(2027, 3, 28)),
        (date(2027, 3, 31), date(2027, 4, 30)),  # April has 30 days
        (date(2027, 5, 31), date(2027, 6, 30)),
        (date(2027, 8, 31), date(2027, 9, 30)),
        (date(2027, 4, 30), date(2027, 5, 30)),  # not "the last day of May"
        (date(2027, 12, 31), date(2028, 1, 31)),  # across the new year
        (date(2027, 12, 1), date(2028, 1, 1)),
        (date(2100, 1, 31), date(2100, 2, 28)),  # 2100 is not a leap year
        (date(2000, 1, 31), date(2000, 2, 29)),  # 2000 is
    ],
)
def test_gdpr_gives_one_calendar_month_to_the_same_date_or_the_months_last_day(received, due):
    assert due_on(received, GDPR) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2027, 1, 1), date(2027, 2, 15)),
        (date(2027, 12, 20), date(2028, 2, 3)),  # across the new year
        (date(2028, 1, 20), date(2028, 3, 5)),  # leap February (29 days)
        (date(2027, 1, 20), date(2027, 3, 6)),  # ordinary February (28 days)
    ],
)
def test_ccpa_gives_45_calendar_days(received, due):
    assert due_on(received, CCPA) == due


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2027, 1, 31), 2, date(2027, 3, 31)),
        (date(2027, 1, 31), 3, date(2027, 4, 30)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2027, 10, 15), 14, date(2028, 12, 15)),
        (date(2027, 6, 10), 0, date(2027, 6, 10)),
        (date(2027, 3, 31), -1, date(2027, 2, 28)),
    ],
)
def test_months_are_added_on_the_calendar_clamped_to_the_months_end(day, months, expected):
    assert add_months(day, months) == expected


def test_a_gdpr_extension_is_counted_from_receipt_by_one_or_two_further_months():
    received = date(2027, 1, 31)
    due = due_on(received, GDPR)

    choices = {choice.key: choice.due_on for choice in extensions(received, due, GDPR)}

    # 31 January + 3 months is 30 April; 28 February + 2 months would wrongly give 28 April.
    assert choices == {"1": date(2027, 3, 31), "2": date(2027, 4, 30)}


def test_a_ccpa_extension_adds_45_days_to_the_first_deadline():
    received = date(2027, 12, 20)

    choices = extensions(received, due_on(received, CCPA), CCPA)

    assert [(choice.key, choice.due_on) for choice in choices] == [("45", date(2028, 3, 19))]
    assert (choices[0].due_on - received).days == 90


@pytest.mark.parametrize(
    ("today", "allowed"),
    [(date(2027, 2, 27), True), (date(2027, 2, 28), True), (date(2027, 3, 1), False)],
)
def test_an_extension_is_decided_by_the_due_day_at_the_latest(today, allowed):
    assert may_extend(date(2027, 2, 28), today) is allowed


@pytest.mark.parametrize(
    ("today", "left", "level"),
    [
        (date(2027, 4, 1), 14, None),
        (date(2027, 4, 9), 6, None),
        (date(2027, 4, 10), 5, "urgent"),  # 5 days or fewer remain
        (date(2027, 4, 14), 1, "urgent"),
        (date(2027, 4, 15), 0, "urgent"),  # due today: still in time
        (date(2027, 4, 16), -1, "overdue"),
        (date(2027, 5, 20), -35, "overdue"),
    ],
)
def test_urgent_with_five_days_or_fewer_left_and_overdue_after_the_due_day(today, left, level):
    due = date(2027, 4, 15)

    assert (days_left(due, today), urgency(due, today)) == (left, level)
    assert (due <= urgent_cutoff(today)) is (level is not None)


def test_the_day_of_receipt_is_the_shops_own_day():
    moment = datetime(2027, 1, 31, 23, 30, tzinfo=UTC)

    days = {
        zone: local_date(moment, ZoneInfo(zone))
        for zone in ("UTC", "America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati")
    }

    assert days == {
        "UTC": date(2027, 1, 31),
        "America/Los_Angeles": date(2027, 1, 31),
        "Asia/Tokyo": date(2027, 2, 1),
        "Pacific/Kiritimati": date(2027, 2, 1),
    }
    # ... so the same moment is due 28 February in Los Angeles and 1 March in Tokyo.
    assert due_on(days["America/Los_Angeles"], GDPR) == date(2027, 2, 28)
    assert due_on(days["Asia/Tokyo"], GDPR) == date(2027, 3, 1)


def test_a_receipt_around_a_daylight_saving_change_keeps_its_local_day():
    # New York springs forward at 02:00 local on 14 March 2027; 05:30 UTC that night is 00:30 EST.
    zone = ZoneInfo("America/New_York")

    assert local_date(datetime(2027, 3, 14, 5, 30, tzinfo=UTC), zone) == date(2027, 3, 14)
    assert local_date(datetime(2027, 3, 14, 3, 59, tzinfo=UTC), zone) == date(2027, 3, 13)
    assert local_date(datetime(2027, 11, 7, 4, 30, tzinfo=UTC), zone) == date(2027, 11, 7)  # falls back that day


def test_the_labels_name_each_rule():
    assert "GDPR" in GDPR.label and "California" in CCPA.label
