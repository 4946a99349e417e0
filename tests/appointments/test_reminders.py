"""Reminders the day before: tomorrow in shop time, requested or confirmed, each sent once."""

from datetime import UTC, date, datetime, timedelta

from saas.appointments.models import Appointment
from saas.appointments.reminders import send_due_reminders
from tests.appointments.helpers import add_appointment, add_customer, appointments_of, local, set_timezone
from tests.fixtures.database import shop_session

ZONE = "Pacific/Auckland"
# Monday 7 January 2030, 20:00 in Auckland (still Monday morning in UTC): "tomorrow" is Tuesday the 8th.
NOW = local(ZONE, date(2030, 1, 7), "20:00")
TUESDAY = date(2030, 1, 8)


def run_reminders(app, shop, now=NOW) -> int:
    """What the worker's job does for one shop: inside its scope, then commit."""
    with shop_session(app, shop.id) as session:
        sent = send_due_reminders(now)
        session.commit()
        return sent


def test_reminders_go_to_tomorrows_appointments_once(app, shop, outbox):
    set_timezone(app, shop, ZONE)
    jane, asset = add_customer(app, shop, "Jane", "jane@example.com")
    joe, _ = add_customer(app, shop, "Joe", "joe@example.com", plate=None)
    add_appointment(app, shop, jane, local(ZONE, TUESDAY, "09:00"), asset=asset)
    add_appointment(app, shop, joe, local(ZONE, TUESDAY, "23:00"), status="requested")

    assert run_reminders(app, shop) == 2
    assert run_reminders(app, shop) == 0
    assert run_reminders(app, shop, NOW + timedelta(hours=1)) == 0

    assert sorted(m["To"] for m in outbox.messages) == ["jane@example.com", "joe@example.com"]
    body = outbox.last_to("jane@example.com").get_content()
    assert "Reminder" in outbox.last_to("jane@example.com")["Subject"]
    assert "Tuesday 08 January 2030, 09:00" in body and "ABC-123" in body
    assert all(a["reminder_sent_at"] == NOW for a in appointments_of(app, shop))


def test_no_reminders_for_other_days_closed_appointments_or_customers_without_email(app, shop, outbox):
    set_timezone(app, shop, ZONE)
    jane, _ = add_customer(app, shop, "Jane", "jane@example.com")
    silent, _ = add_customer(app, shop, "No Mail", None, plate=None)
    add_appointment(app, shop, jane, local(ZONE, date(2030, 1, 7), "21:00"))  # today, later on
    add_appointment(app, shop, jane, local(ZONE, date(2030, 1, 9), "00:00"))  # the day after tomorrow
    add_appointment(app, shop, jane, local(ZONE, TUESDAY, "10:00"), status="cancelled")
    add_appointment(app, shop, jane, local(ZONE, TUESDAY, "11:00"), status="completed")
    add_appointment(app, shop, silent, local(ZONE, TUESDAY, "12:00"))

    assert run_reminders(app, shop) == 0

    assert outbox.messages == []
    assert all(a["reminder_sent_at"] is None for a in appointments_of(app, shop))


def test_tomorrow_is_the_shops_tomorrow(app, shop, outbox):
    """At 20:00 in Auckland it is 07:00 in UTC: a UTC 'tomorrow' would be the wrong day."""
    set_timezone(app, shop, ZONE)
    jane, _ = add_customer(app, shop, "Jane", "jane@example.com")
    add_appointment(app, shop, jane, datetime(2030, 1, 8, 12, 0, tzinfo=UTC))  # Wednesday 01:00 in Auckland

    assert run_reminders(app, shop) == 0


def test_reminders_only_touch_the_shop_in_scope(app, shop, other_shop, outbox):
    jane, _ = add_customer(app, shop, "Jane", "jane@example.com")
    bob, _ = add_customer(app, other_shop, "Bob", "bob@example.com")
    now = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)
    add_appointment(app, shop, jane, datetime(2030, 1, 8, 9, 0, tzinfo=UTC))
    add_appointment(app, other_shop, bob, datetime(2030, 1, 8, 9, 0, tzinfo=UTC))

    assert run_reminders(app, shop, now) == 1

    assert [m["To"] for m in outbox.messages] == ["jane@example.com"]
    assert appointments_of(app, other_shop)[0]["reminder_sent_at"] is None


def test_moving_an_appointment_allows_a_new_reminder(app, shop, owner_client, outbox):
    jane, _ = add_customer(app, shop, "Jane", "jane@example.com")
    soon = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    appointment = add_appointment(app, shop, jane, soon)
    with shop_session(app, shop.id) as session:
        session.get(Appointment, (shop.id, appointment.id)).reminder_sent_at = datetime.now(UTC)
        session.commit()
    later = soon + timedelta(days=2)

    owner_client.post(
        f"/appointments/{appointment.id}/move", data={"day": later.date().isoformat(), "start": later.strftime("%H:%M")}
    )

    assert appointments_of(app, shop)[0]["reminder_sent_at"] is None
