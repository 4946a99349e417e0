"""Staff book customers in, confirm, move, cancel and close appointments; conflicts are refused."""

from datetime import UTC, datetime, timedelta

import pytest

from saas.auth.roles import Role
from tests.appointments.helpers import (
    add_appointment,
    add_customer,
    add_service,
    appointments_of,
    local,
    set_hours,
    shop_today,
    snapshot,
)
from tests.factories import log_in


def tomorrow_at(at: str):
    return local("UTC", shop_today() + timedelta(days=1), at)


def staff_form(customer, when: datetime, **overrides) -> dict:
    data = {
        "customer_id": customer.id,
        "day": when.date().isoformat(),
        "start": when.strftime("%H:%M"),
        "notes": "Customer waits",
        "notify": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def booked(app, shop, open_shop):
    """A requested online booking of Jane's tomorrow at 10:00."""
    customer, asset = add_customer(app, shop, "Jane Customer", "jane@example.com")
    appointment = add_appointment(
        app, shop, customer, tomorrow_at("10:00"), status="requested", service=open_shop, asset=asset, source="online"
    )
    return appointment


# --- booking a customer in ---------------------------------------------------------------


def test_new_appointment_starts_by_finding_the_customer(app, shop, owner_client):
    customer, _ = add_customer(app, shop, "Grace Hopper", "grace@navy.mil")

    assert "Who is coming in?" in owner_client.get("/appointments/new").get_data(as_text=True)
    page = owner_client.get("/appointments/new?q=grace").get_data(as_text=True)

    assert "Grace Hopper" in page and f"customer_id={customer.id}" in page


def test_the_form_offers_the_customers_vehicles_and_the_active_services(app, shop, owner_client, open_shop):
    customer, _ = add_customer(app, shop, plate="ABC-123")
    add_customer(app, shop, "Someone Else", "else@example.com", plate="ZZZ-999")
    add_service(app, shop, "Retired", active=False)

    page = owner_client.get(f"/appointments/new?customer_id={customer.id}&date=2030-01-07&time=09:30")

    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "ABC-123" in text and "ZZZ-999" not in text
    assert "Oil change (60 min)" in text and "Retired" not in text
    assert 'value="2030-01-07"' in text and 'value="09:30"' in text


def test_staff_book_a_customer_in_and_the_customer_gets_a_confirmation(app, shop, owner_client, open_shop, outbox):
    customer, asset = add_customer(app, shop)
    when = tomorrow_at("09:00")

    response = owner_client.post(
        "/appointments/new", data=staff_form(customer, when, asset_id=asset.id, service_id=open_shop.id)
    )

    assert response.status_code == 302
    [appointment] = appointments_of(app, shop)
    assert (appointment["status"], appointment["source"]) == ("confirmed", "staff")
    assert (appointment["customer_id"], appointment["asset_id"], appointment["service_id"]) == (
        customer.id,
        asset.id,
        open_shop.id,
    )
    assert appointment["starts_at"] == when and appointment["ends_at"] == when + timedelta(minutes=60)
    assert "is confirmed" in outbox.last_to("jane@example.com")["Subject"]
    assert "Jane Customer" in owner_client.get(response.headers["Location"]).get_data(as_text=True)


def test_staff_may_set_the_duration_and_skip_the_email(app, shop, owner_client, outbox):
    customer, _ = add_customer(app, shop)

    response = owner_client.post(
        "/appointments/new", data=staff_form(customer, tomorrow_at("09:00"), duration_minutes="45", notify=None)
    )

    assert response.status_code == 302
    [appointment] = appointments_of(app, shop)
    assert appointment["ends_at"] - appointment["starts_at"] == timedelta(minutes=45)
    assert outbox.messages == []


def test_staff_cannot_double_book_and_nothing_changes(app, shop, owner_client, booked):
    customer, _ = add_customer(app, shop, "Other", "other@example.com", plate=None)
    before = snapshot(app, shop)

    response = owner_client.post("/appointments/new", data=staff_form(customer, tomorrow_at("10:30")))

    assert response.status_code == 409
    assert "overlaps another appointment" in response.get_data(as_text=True)
    assert snapshot(app, shop) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"day": ""}, "Pick a date."),
        ({"start": "25:00"}, "Not a valid time value"),
        ({"duration_minutes": "2"}, "Number must be between"),
        ({"asset_id": "abc"}, "Invalid Choice"),
        ({"day": "9999-12-31", "start": "23:30"}, "Pick a date within the next 2 years"),
    ],
)
def test_bad_staff_input_is_refused_with_400(app, shop, owner_client, overrides, message):
    customer, _ = add_customer(app, shop)

    response = owner_client.post("/appointments/new", data=staff_form(customer, tomorrow_at("09:00"), **overrides))

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert appointments_of(app, shop) == []


def test_a_booking_in_the_past_is_refused(app, shop, owner_client):
    customer, _ = add_customer(app, shop)
    yesterday = datetime.now(UTC) - timedelta(days=1)

    response = owner_client.post("/appointments/new", data=staff_form(customer, yesterday))

    assert response.status_code == 400
    assert "Pick a time in the future" in response.get_data(as_text=True)


def test_a_vehicle_of_another_customer_is_refused(app, shop, owner_client):
    customer, _ = add_customer(app, shop, "Jane", "jane@example.com")
    _, foreign_asset = add_customer(app, shop, "Joe", "joe@example.com", plate="JOE-1")

    response = owner_client.post(
        "/appointments/new", data=staff_form(customer, tomorrow_at("09:00"), asset_id=foreign_asset.id)
    )

    assert response.status_code == 400
    assert "belongs to another customer" in response.get_data(as_text=True)
    assert appointments_of(app, shop) == []


def test_posting_without_a_customer_asks_to_pick_one(owner_client):
    response = owner_client.post("/appointments/new", data={"day": "2030-01-07", "start": "09:00"})

    assert response.status_code == 400
    assert "Pick a customer first" in response.get_data(as_text=True)


# --- confirm, move, cancel, complete, no-show --------------------------------------------


def test_staff_confirm_a_requested_booking_and_the_customer_is_told(app, shop, owner_client, booked, outbox):
    page = owner_client.get("/appointments").get_data(as_text=True)
    assert "Waiting for your confirmation" in page

    response = owner_client.post(f"/appointments/{booked.id}/confirm")

    assert response.status_code == 302
    assert appointments_of(app, shop)[0]["status"] == "confirmed"
    mail = outbox.last_to("jane@example.com")
    assert "Your appointment is confirmed" in mail["Subject"] and "Oil change" in mail.get_content()
    assert "We e-mailed Jane Customer" in owner_client.get(response.headers["Location"]).get_data(as_text=True)


def test_confirming_twice_is_refused(app, shop, owner_client, booked):
    owner_client.post(f"/appointments/{booked.id}/confirm")

    response = owner_client.post(f"/appointments/{booked.id}/confirm")

    assert response.status_code == 400
    assert "already confirmed" in response.get_data(as_text=True)


def test_staff_move_an_appointment_and_the_customer_is_told(app, shop, owner_client, booked, outbox):
    new_time = tomorrow_at("14:30")
    assert owner_client.get(f"/appointments/{booked.id}/move").status_code == 200

    response = owner_client.post(
        f"/appointments/{booked.id}/move", data={"day": new_time.date().isoformat(), "start": "14:30"}
    )

    assert response.status_code == 302
    [appointment] = appointments_of(app, shop)
    assert appointment["starts_at"] == new_time and appointment["ends_at"] == new_time + timedelta(hours=1)
    body = outbox.last_to("jane@example.com").get_content()
    assert "new time" in body and "14:30" in body and "10:00" in body


def test_moving_onto_another_appointment_is_refused_and_nothing_changes(app, shop, owner_client, booked):
    other, _ = add_customer(app, shop, "Other", "other@example.com", plate=None)
    add_appointment(app, shop, other, tomorrow_at("13:00"))
    before = snapshot(app, shop)

    response = owner_client.post(
        f"/appointments/{booked.id}/move", data={"day": tomorrow_at("12:30").date().isoformat(), "start": "12:30"}
    )

    assert response.status_code == 409
    assert "overlaps another appointment" in response.get_data(as_text=True)
    assert snapshot(app, shop) == before


def test_moving_a_little_within_its_own_time_is_allowed(app, shop, owner_client, booked):
    response = owner_client.post(
        f"/appointments/{booked.id}/move", data={"day": tomorrow_at("10:30").date().isoformat(), "start": "10:30"}
    )

    assert response.status_code == 302
    assert appointments_of(app, shop)[0]["starts_at"] == tomorrow_at("10:30")


def test_moving_into_the_past_is_refused(app, shop, owner_client, booked):
    before = snapshot(app, shop)
    yesterday = datetime.now(UTC) - timedelta(days=1)

    response = owner_client.post(
        f"/appointments/{booked.id}/move", data={"day": yesterday.date().isoformat(), "start": "10:00"}
    )

    assert response.status_code == 400
    assert snapshot(app, shop) == before


def test_a_cancelled_appointment_frees_its_time(app, shop, owner_client, booked, outbox):
    response = owner_client.post(f"/appointments/{booked.id}/cancel", data={"notify": "y"})

    assert response.status_code == 302
    assert appointments_of(app, shop)[0]["status"] == "cancelled"
    assert "cancelled" in outbox.last_to("jane@example.com")["Subject"]
    other, _ = add_customer(app, shop, "Other", "other@example.com", plate=None)
    again = owner_client.post("/appointments/new", data=staff_form(other, tomorrow_at("10:00")))
    assert again.status_code == 302
    assert [a["status"] for a in appointments_of(app, shop)] == ["cancelled", "confirmed"]


def test_cancelling_without_telling_the_customer_sends_nothing(app, shop, owner_client, booked, outbox):
    # What a browser sends with the box unticked: the form's token and no `notify`.
    owner_client.post(f"/appointments/{booked.id}/cancel", data={"csrf_token": "token"})

    assert appointments_of(app, shop)[0]["status"] == "cancelled"
    assert outbox.messages == []


def test_a_closed_appointment_cannot_be_moved_or_confirmed(app, shop, owner_client, booked):
    owner_client.post(f"/appointments/{booked.id}/cancel", data={})
    before = snapshot(app, shop)

    moved = owner_client.post(
        f"/appointments/{booked.id}/move", data={"day": tomorrow_at("15:00").date().isoformat(), "start": "15:00"}
    )
    confirmed = owner_client.post(f"/appointments/{booked.id}/confirm")

    assert (moved.status_code, confirmed.status_code) == (400, 400)
    assert "is cancelled" in confirmed.get_data(as_text=True)
    assert snapshot(app, shop) == before


def test_staff_mark_an_appointment_completed(app, shop, owner_client, booked):
    assert owner_client.post(f"/appointments/{booked.id}/complete").status_code == 302

    assert appointments_of(app, shop)[0]["status"] == "completed"


def test_a_no_show_can_be_marked_only_once_the_time_has_come(app, shop, owner_client, booked):
    customer, _ = add_customer(app, shop, "Late", "late@example.com", plate=None)
    past = add_appointment(app, shop, customer, datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3))

    early = owner_client.post(f"/appointments/{booked.id}/no-show")
    late = owner_client.post(f"/appointments/{past.id}/no-show")

    assert early.status_code == 400 and "once the appointment" in early.get_data(as_text=True)
    assert late.status_code == 302
    assert [a["status"] for a in appointments_of(app, shop)] == ["requested", "no_show"]


def test_the_appointment_page_shows_who_what_and_when(app, shop, owner_client, booked):
    page = owner_client.get(f"/appointments/{booked.id}").get_data(as_text=True)

    assert "Jane Customer" in page and "Oil change" in page and "ABC-123" in page and "Requested" in page
    assert "Online by the customer" in page


def test_a_technician_sees_the_calendar_but_cannot_change_appointments(app, factory, shop, shop_client, booked):
    tech = factory.user(shop, Role.TECHNICIAN)
    client = shop_client("acme")
    log_in(client, tech.email)
    customer, _ = add_customer(app, shop, "Other", "other@example.com", plate=None)

    assert client.get("/appointments").status_code == 200
    assert client.get(f"/appointments/{booked.id}").status_code == 200
    assert client.post(f"/appointments/{booked.id}/confirm").status_code == 403
    assert client.post("/appointments/new", data=staff_form(customer, tomorrow_at("15:00"))).status_code == 403
    assert client.get("/appointments/settings").status_code == 403
    assert appointments_of(app, shop)[0]["status"] == "requested"


def test_appointment_pages_require_login(shop, shop_client):
    response = shop_client("acme").get("/appointments")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_shops_opening_hours_bound_nothing_for_staff_but_the_calendar_shows_them(app, shop, owner_client):
    set_hours(app, shop, {0: ("08:00", "12:00")})
    customer, _ = add_customer(app, shop)

    response = owner_client.post("/appointments/new", data=staff_form(customer, tomorrow_at("19:00")))

    assert response.status_code == 302
    assert appointments_of(app, shop)[0]["starts_at"] == tomorrow_at("19:00")


def test_the_database_refuses_an_overlapping_move_even_when_the_check_misses_it(
    app, shop, owner_client, booked, monkeypatch
):
    from saas.appointments import booking

    other, _ = add_customer(app, shop, "Other", "other@example.com", plate=None)
    add_appointment(app, shop, other, tomorrow_at("13:00"))
    before = snapshot(app, shop)
    monkeypatch.setattr(booking, "_check_free", lambda *args, **kwargs: None)

    response = owner_client.post(
        f"/appointments/{booked.id}/move", data={"day": tomorrow_at("12:30").date().isoformat(), "start": "12:30"}
    )

    assert response.status_code == 409
    assert "That time was just taken, please pick another." in response.get_data(as_text=True)
    assert snapshot(app, shop) == before


def test_the_database_refuses_an_overlapping_staff_booking_even_when_the_check_misses_it(
    app, shop, owner_client, booked, monkeypatch
):
    from saas.appointments import booking

    other, _ = add_customer(app, shop, "Other", "other@example.com", plate=None)
    before = snapshot(app, shop)
    monkeypatch.setattr(booking, "_check_free", lambda *args, **kwargs: None)

    response = owner_client.post("/appointments/new", data=staff_form(other, tomorrow_at("10:30")))

    assert response.status_code == 409
    assert snapshot(app, shop) == before
