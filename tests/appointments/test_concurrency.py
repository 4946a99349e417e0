"""No double booking under concurrent requests: the database's exclusion constraint decides, not luck.

Several visitors post the same time at once, each through their own client and connection, with
real commits to PostgreSQL. Exactly one gets the confirmation; the others get a clear 409.
"""

import threading
from datetime import timedelta

from tests.appointments.helpers import appointments_of, booking_form, local, shop_today, snapshot

VISITORS = 8


def test_concurrent_bookings_of_the_same_time_give_exactly_one_appointment(app, shop, shop_client, open_shop, outbox):
    slot = local("UTC", shop_today() + timedelta(days=2), "11:00")
    clients = [shop_client("acme") for _ in range(VISITORS)]
    start = threading.Barrier(VISITORS)
    results: dict[int, tuple[int, str]] = {}

    def visit(number: int) -> None:
        form = booking_form(
            open_shop,
            slot,
            name=f"Racer {number}",
            email=f"racer{number}@example.com",
            phone=f"555-201-01{number:02d}",
            plate=f"RACE-{number}",
        )
        start.wait()
        response = clients[number].post("/book", data=form)
        results[number] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=visit, args=(number,)) for number in range(VISITORS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(status for status, _ in results.values())
    assert len(results) == VISITORS
    assert statuses == [302] + [409] * (VISITORS - 1), statuses
    for status, page in results.values():
        if status == 409:
            assert "That time" in page and "please pick another" in page
    [appointment] = appointments_of(app, shop)
    assert appointment["starts_at"] == slot
    [winner] = [number for number, (status, _) in results.items() if status == 302]
    rows = snapshot(app, shop)
    # The losers' customers and vehicles were rolled back with their failed booking.
    assert [c["email"] for c in rows["customers"]] == [f"racer{winner}@example.com"]
    assert [a["plate"] for a in rows["assets"]] == [f"RACE-{winner}"]
    assert [m["To"] for m in outbox.messages] == [f"racer{winner}@example.com"]


def test_concurrent_bookings_of_overlapping_times_give_exactly_one_appointment(app, shop, shop_client, outbox):
    """A 90-minute service at 10:00 and a 60-minute one at 10:30 overlap: only one may win."""
    from tests.appointments.helpers import add_service, set_hours

    set_hours(app, shop)
    long_service = add_service(app, shop, "Brakes", 90)
    short_service = add_service(app, shop, "Tyres", 60)
    day = shop_today() + timedelta(days=3)
    forms = [
        booking_form(long_service, local("UTC", day, "10:00"), email="first@example.com", plate="ONE"),
        booking_form(short_service, local("UTC", day, "10:30"), email="second@example.com", plate="TWO"),
    ] * 3
    clients = [shop_client("acme") for _ in forms]
    start = threading.Barrier(len(forms))
    statuses = []

    def visit(number: int) -> None:
        start.wait()
        statuses.append(clients[number].post("/book", data=forms[number]).status_code)

    threads = [threading.Thread(target=visit, args=(number,)) for number in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [302] + [409] * (len(forms) - 1)
    assert len(appointments_of(app, shop)) == 1


def test_the_database_refuses_an_overlap_even_when_the_friendly_check_misses_it(
    app, shop, visitor, open_shop, monkeypatch
):
    """What a race looks like: the check saw the time free, then another booking committed first."""
    from saas.appointments import booking
    from tests.appointments.helpers import add_appointment, add_customer

    slot = local("UTC", shop_today() + timedelta(days=2), "11:00")
    customer, _ = add_customer(app, shop)
    add_appointment(app, shop, customer, slot, status="requested")
    before = snapshot(app, shop)
    monkeypatch.setattr(booking, "_check_free", lambda *args, **kwargs: None)

    response = visitor.post("/book", data=booking_form(open_shop, slot, email="late@example.com"))

    assert response.status_code == 409
    assert "That time was just taken, please pick another." in response.get_data(as_text=True)
    assert snapshot(app, shop) == before
