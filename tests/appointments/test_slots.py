"""Free slots: opening hours, the service's duration, existing bookings, the past, the shop's timezone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from saas.appointments import slots

UTC_ZONE = ZoneInfo("UTC")
HOUR = timedelta(hours=1)
# A Monday.
MONDAY = date(2030, 1, 7)
EARLY_MONDAY = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)


def at(day: date, hhmm: str, zone: ZoneInfo = UTC_ZONE) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=zone).astimezone(UTC)


def times_on(found, day: date, zone: ZoneInfo = UTC_ZONE) -> list[str]:
    return [s.astimezone(zone).strftime("%H:%M") for s in found if s.astimezone(zone).date() == day]


def test_slots_start_every_30_minutes_and_the_service_must_fit_before_closing():
    found = slots.free_slots({0: (time(8), time(10))}, [], HOUR, UTC_ZONE, EARLY_MONDAY, days=1)

    assert times_on(found, MONDAY) == ["08:00", "08:30", "09:00"]


def test_a_longer_service_has_fewer_slots():
    found = slots.free_slots({0: (time(8), time(10))}, [], timedelta(minutes=90), UTC_ZONE, EARLY_MONDAY, days=1)

    assert times_on(found, MONDAY) == ["08:00", "08:30"]


def test_closed_days_have_no_slots_and_the_window_is_14_days():
    hours = {0: (time(8), time(9))}  # Mondays only
    found = slots.free_slots(hours, [], HOUR, UTC_ZONE, EARLY_MONDAY)

    assert [s.date() for s in found] == [MONDAY, MONDAY + timedelta(days=7)]


def test_existing_bookings_block_every_slot_they_overlap():
    busy = [(at(MONDAY, "09:00"), at(MONDAY, "10:00"))]
    found = slots.free_slots({0: (time(8), time(12))}, busy, HOUR, UTC_ZONE, EARLY_MONDAY, days=1)

    # 08:30 would end at 09:30 and 09:30 would start inside the booking; 08:00 ends exactly when it begins.
    assert times_on(found, MONDAY) == ["08:00", "10:00", "10:30", "11:00"]


def test_past_slots_are_not_offered():
    now = at(MONDAY, "09:10")
    found = slots.free_slots({0: (time(8), time(12))}, [], HOUR, UTC_ZONE, now, days=1)

    assert times_on(found, MONDAY) == ["09:30", "10:00", "10:30", "11:00"]


def test_slots_follow_the_shops_timezone_and_are_returned_in_utc():
    berlin = ZoneInfo("Europe/Berlin")
    now = datetime(2030, 1, 6, 23, 30, tzinfo=UTC)  # already Monday 00:30 in Berlin
    found = slots.free_slots({0: (time(8), time(9, 30))}, [], HOUR, berlin, now, days=1)

    assert times_on(found, MONDAY, berlin) == ["08:00", "08:30"]
    assert found[0] == datetime(2030, 1, 7, 7, 0, tzinfo=UTC)


def test_today_is_the_shops_today_not_the_servers():
    auckland = ZoneInfo("Pacific/Auckland")
    now = datetime(2030, 1, 6, 12, 0, tzinfo=UTC)  # Sunday noon in UTC, already Monday 01:00 in Auckland
    found = slots.free_slots({0: (time(8), time(9))}, [], HOUR, auckland, now, days=1)

    assert [s.astimezone(auckland).date() for s in found] == [MONDAY]


def test_a_time_skipped_by_daylight_saving_is_never_offered():
    new_york = ZoneInfo("America/New_York")
    sunday = date(2030, 3, 10)  # clocks jump from 02:00 to 03:00
    grid = slots.slot_grid({6: (time(1), time(4))}, timedelta(minutes=30), new_york, sunday, days=1)

    assert [s.astimezone(new_york).strftime("%H:%M") for s in grid] == ["01:00", "01:30", "03:00", "03:30"]


def test_the_calendar_places_appointments_by_local_time_and_shades_opening_hours():
    class Booked:
        status = "confirmed"
        starts_at = at(MONDAY, "10:00")
        ends_at = at(MONDAY, "11:00")

    columns, (low, high) = slots.lay_out(
        [MONDAY], {0: (time(8), time(18))}, [Booked()], UTC_ZONE, MONDAY, frozenset({"confirmed"})
    )

    assert (low, high) == (8, 18)
    assert (columns[0].open_band.top, columns[0].open_band.height) == (0, 100)
    assert (columns[0].placed[0].top, columns[0].placed[0].height) == (20, 10)
    assert columns[0].is_today


def test_the_calendar_widens_its_hours_for_an_appointment_outside_opening_hours():
    class Late:
        status = "confirmed"
        starts_at = at(MONDAY, "19:00")
        ends_at = at(MONDAY, "20:30")

    _, (low, high) = slots.lay_out(
        [MONDAY], {0: (time(8), time(17))}, [Late()], UTC_ZONE, MONDAY, frozenset({"confirmed"})
    )

    assert (low, high) == (8, 21)
