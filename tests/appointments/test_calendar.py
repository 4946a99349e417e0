"""The staff calendar: day and week, opening hours shaded, appointments placed by local time."""

from datetime import date, timedelta

from tests.appointments.helpers import add_appointment, add_customer, local, set_hours, set_timezone, shop_today

MONDAY = date(2030, 1, 7)


def test_without_opening_hours_the_calendar_invites_to_set_them(owner_client):
    page = owner_client.get("/appointments").get_data(as_text=True)

    assert "No opening hours yet" in page and "/appointments/settings/hours" in page


def test_the_day_view_shades_opening_hours_and_places_appointments_by_time(app, shop, owner_client):
    set_hours(app, shop, {0: ("08:00", "18:00")})
    customer, _ = add_customer(app, shop, "Ada Lovelace")
    appointment = add_appointment(app, shop, customer, local("UTC", MONDAY, "10:00"))

    page = owner_client.get("/appointments?date=2030-01-07").get_data(as_text=True)

    assert "Monday 07 January 2030" in page
    assert "Open 08:00–18:00" in page
    assert 'class="cal-open" data-top="0.0" data-height="100.0"' in page
    assert 'data-top="20.0" data-height="10.0"' in page
    assert f"/appointments/{appointment.id}" in page and "10:00–11:00 Ada Lovelace" in page
    assert "?view=day&amp;date=2030-01-06" in page and "?view=day&amp;date=2030-01-08" in page


def test_the_week_view_shows_monday_to_sunday_with_closed_days(app, shop, owner_client):
    set_hours(app, shop, {0: ("08:00", "17:00"), 2: ("09:00", "12:00")})
    customer, _ = add_customer(app, shop, "Week Person")
    add_appointment(app, shop, customer, local("UTC", MONDAY + timedelta(days=4), "15:00"))

    page = owner_client.get("/appointments?view=week&date=2030-01-09").get_data(as_text=True)

    assert "Week of 07 Jan – 13 Jan 2030" in page
    for day in ("Mon 07 Jan", "Tue 08 Jan", "Wed 09 Jan", "Sun 13 Jan"):
        assert day in page
    assert page.count("Closed</span>") == 5 and "Open 09:00–12:00" in page
    assert "15:00–16:00 Week Person" in page
    # Previous and next keep the weekday, so switching to the day view stays on it.
    assert "?view=week&amp;date=2030-01-02" in page and "?view=week&amp;date=2030-01-16" in page


def test_times_are_shown_in_the_shops_timezone(app, shop, owner_client):
    set_timezone(app, shop, "America/Los_Angeles")
    customer, _ = add_customer(app, shop, "West Coast")
    add_appointment(app, shop, customer, local("America/Los_Angeles", MONDAY, "09:00"))

    page = owner_client.get("/appointments?date=2030-01-07").get_data(as_text=True)

    assert "09:00–10:00 West Coast" in page and "America/Los_Angeles" in page


def test_an_appointment_late_in_the_evening_lands_on_its_local_day(app, shop, owner_client):
    set_timezone(app, shop, "Pacific/Auckland")
    customer, _ = add_customer(app, shop, "Night Owl")
    add_appointment(app, shop, customer, local("Pacific/Auckland", MONDAY, "07:00"))  # Sunday in UTC

    monday = owner_client.get("/appointments?date=2030-01-07").get_data(as_text=True)
    sunday = owner_client.get("/appointments?date=2030-01-06").get_data(as_text=True)

    assert "Night Owl" in monday and "Night Owl" not in sunday


def test_cancelled_appointments_are_listed_but_leave_the_time_free(app, shop, owner_client):
    customer, _ = add_customer(app, shop, "Gone Away")
    add_appointment(app, shop, customer, local("UTC", MONDAY, "10:00"), status="cancelled")

    page = owner_client.get("/appointments?date=2030-01-07").get_data(as_text=True)

    assert "Gone Away</a> — cancelled" in page
    assert "0 appointments" in page


def test_today_is_the_default_and_a_bad_date_is_refused(owner_client):
    page = owner_client.get("/appointments").get_data(as_text=True)

    assert shop_today().strftime("%A %d %B %Y") in page and "· today" in page
    assert owner_client.get("/appointments?date=yesterday").status_code == 400
    assert owner_client.get("/appointments?date=0001-01-01").status_code == 400
    assert owner_client.get("/appointments?view=week&date=9999-12-31").status_code == 400
    assert owner_client.get("/appointments?view=month").status_code == 200


def _fill_day(app, shop, count: int, day: date) -> None:
    customer, asset = add_customer(app, shop, f"Customer {count}", f"c{count}@example.com")
    for number in range(count):
        start = local("UTC", day, "06:00") + timedelta(minutes=20 * number)
        add_appointment(
            app, shop, customer, start, minutes=20, asset=asset, status="requested" if number % 2 else "confirmed"
        )


def test_the_calendar_runs_the_same_number_of_queries_for_3_or_30_appointments(app, shop, owner_client, count_queries):
    set_hours(app, shop)
    day = shop_today() + timedelta(days=1)
    _fill_day(app, shop, 3, day)
    with count_queries() as day_few:
        assert owner_client.get(f"/appointments?date={day}").status_code == 200
    with count_queries() as week_few:
        assert owner_client.get(f"/appointments?view=week&date={day}").status_code == 200
    _fill_day(app, shop, 27, day + timedelta(days=1))

    with count_queries() as day_many:
        page = owner_client.get(f"/appointments?date={day + timedelta(days=1)}")
    with count_queries() as week_many:
        owner_client.get(f"/appointments?view=week&date={day}")

    assert "27 appointments" in page.get_data(as_text=True)
    assert day_few.count == day_many.count, day_many.statements
    assert week_few.count == week_many.count, week_many.statements
