"""The public booking page: services, free times in shop time, matching customers and vehicles, e-mails."""

from datetime import timedelta

import pytest

from saas.core.extensions import limiter
from saas.customers.services import save_customer
from tests.appointments.helpers import (
    add_appointment,
    add_customer,
    add_service,
    appointments_of,
    booking_form,
    local,
    set_hours,
    set_shop_email,
    set_timezone,
    shop_today,
    snapshot,
)
from tests.fixtures.database import shop_session


def slot_tomorrow(at: str = "10:00", zone: str = "UTC"):
    return local(zone, shop_today(zone) + timedelta(days=1), at)


def test_booking_page_lists_only_services_offered_online(app, shop, visitor):
    set_hours(app, shop)
    add_service(app, shop, "Oil change")
    add_service(app, shop, "Engine rebuild", online=False)
    add_service(app, shop, "Retired wash", active=False)

    page = visitor.get("/book").get_data(as_text=True)

    assert "Oil change" in page
    assert "Engine rebuild" not in page and "Retired wash" not in page


def test_booking_page_without_hours_or_services_says_online_booking_is_not_open(visitor):
    page = visitor.get("/book").get_data(as_text=True)

    assert "Online booking is not open yet" in page


def test_free_times_are_shown_in_shop_time_and_taken_ones_are_left_out(app, shop, visitor, open_shop):
    set_timezone(app, shop, "America/New_York")
    customer, _ = add_customer(app, shop)
    tomorrow = shop_today("America/New_York") + timedelta(days=1)
    add_appointment(app, shop, customer, local("America/New_York", tomorrow, "10:00"))

    page = visitor.get(f"/book?service={open_shop.id}").get_data(as_text=True)

    assert "America/New_York" in page
    assert f'value="{local("America/New_York", tomorrow, "08:00").isoformat()}"' in page
    assert f'value="{local("America/New_York", tomorrow, "11:00").isoformat()}"' in page
    for taken in ("09:30", "10:00", "10:30"):
        assert f'value="{local("America/New_York", tomorrow, taken).isoformat()}"' not in page
    assert "privacy" in page.lower() and "/privacy" in page


def test_visitor_books_a_time_and_gets_a_confirmation_page_and_email(app, shop, visitor, open_shop, outbox):
    slot = slot_tomorrow("10:00")

    response = visitor.post("/book", data=booking_form(open_shop, slot))

    assert response.status_code == 302 and response.headers["Location"].endswith("/book/thanks")
    thanks = visitor.get("/book/thanks").get_data(as_text=True)
    assert "Thank you, Sam Driver!" in thanks and "Oil change" in thanks and "10:00" in thanks
    [appointment] = appointments_of(app, shop)
    assert appointment["status"] == "requested" and appointment["source"] == "online"
    assert appointment["starts_at"] == slot and appointment["ends_at"] == slot + timedelta(minutes=60)
    assert appointment["notes"] == "Squeaky brakes"
    rows = snapshot(app, shop)
    [customer] = rows["customers"]
    assert (customer["name"], customer["email"], customer["phone"]) == ("Sam Driver", "sam@example.com", "+15552010100")
    [asset] = rows["assets"]
    assert (asset["customer_id"], asset["kind"], asset["plate"], asset["make"]) == (
        customer["id"],
        "vehicle",
        "XYZ 987",
        "Honda",
    )
    mail = outbox.last_to("sam@example.com")
    assert "We received your booking request" in mail["Subject"]
    body = mail.get_content()
    assert "Hello Sam Driver" in body and "Oil change" in body and "10:00" in body


def test_the_shop_hears_of_a_new_online_booking_when_it_has_an_email(app, shop, visitor, open_shop, outbox):
    set_shop_email(app, shop, "desk@acme.example.com")

    visitor.post("/book", data=booking_form(open_shop, slot_tomorrow()))

    mail = outbox.last_to("desk@acme.example.com")
    assert "New online booking: Sam Driver" in mail["Subject"]
    assert "/appointments/" in mail.get_content()


def test_booking_matches_a_known_customer_by_email_and_their_vehicle_by_plate(app, shop, visitor, open_shop):
    customer, asset = add_customer(app, shop, "Jane Customer", "jane@example.com", plate="ABC-123")

    response = visitor.post(
        "/book", data=booking_form(open_shop, slot_tomorrow(), name="J. C.", email="JANE@example.com", plate="abc 123")
    )

    assert response.status_code == 302
    rows = snapshot(app, shop)
    assert [c["id"] for c in rows["customers"]] == [customer.id]
    assert rows["customers"][0]["name"] == "Jane Customer"  # a booking never renames a known customer
    assert [a["id"] for a in rows["assets"]] == [asset.id]
    [appointment] = rows["appointments"]
    assert (appointment["customer_id"], appointment["asset_id"]) == (customer.id, asset.id)


def test_booking_matches_a_known_customer_by_phone_when_the_email_is_new(app, shop, visitor, open_shop):
    with shop_session(app, shop.id) as session:
        known = save_customer(None, name="Phone Only", email=None, phone="+1 555 201 0100", notes="")
        session.commit()
        known_id = known.id

    visitor.post("/book", data=booking_form(open_shop, slot_tomorrow(), email="new@example.com", phone="555.201.0100"))

    rows = snapshot(app, shop)
    assert [c["id"] for c in rows["customers"]] == [known_id]
    assert rows["customers"][0]["email"] == "new@example.com"  # filled in: the shop did not know it
    assert rows["appointments"][0]["customer_id"] == known_id


def test_a_new_vehicle_of_a_known_customer_is_added_to_them(app, shop, visitor, open_shop):
    customer, asset = add_customer(app, shop, email="jane@example.com", plate="ABC-123")

    visitor.post("/book", data=booking_form(open_shop, slot_tomorrow(), email="jane@example.com", plate="NEW-1"))

    rows = snapshot(app, shop)
    assert len(rows["customers"]) == 1
    assert [(a["customer_id"], a["plate"]) for a in rows["assets"]] == [
        (customer.id, "ABC-123"),
        (customer.id, "NEW-1"),
    ]
    assert rows["appointments"][0]["asset_id"] == rows["assets"][1]["id"]


def test_a_device_is_matched_by_its_serial_on_the_next_booking(app, shop, visitor, open_shop):
    device = {
        "kind": "device",
        "plate": None,
        "make": "Apple",
        "model": "iPhone 13",
        "device_type": "Phone",
        "serial": "F2LX-1234",
    }

    visitor.post("/book", data=booking_form(open_shop, slot_tomorrow("09:00"), **device))
    visitor.post("/book", data=booking_form(open_shop, slot_tomorrow("14:00"), **{**device, "serial": "f2lx1234"}))

    rows = snapshot(app, shop)
    [asset] = rows["assets"]
    assert (asset["kind"], asset["serial"], asset["device_type"]) == ("device", "F2LX-1234", "Phone")
    assert [a["asset_id"] for a in rows["appointments"]] == [asset["id"], asset["id"]]


def test_a_taken_time_is_refused_with_409_and_nothing_is_saved(app, shop, visitor, open_shop):
    customer, _ = add_customer(app, shop)
    slot = slot_tomorrow("10:00")
    add_appointment(app, shop, customer, slot + timedelta(minutes=30), minutes=30)
    before = snapshot(app, shop)

    response = visitor.post("/book", data=booking_form(open_shop, slot, email="someone@example.com"))

    assert response.status_code == 409
    assert "please pick another" in response.get_data(as_text=True)
    assert snapshot(app, shop) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-email"}, "Invalid email address"),
        ({"email": ""}, "This field is required"),
        ({"name": ""}, "This field is required"),
        ({"consent": None}, "Please agree"),
        ({"plate": "", "vin": ""}, "Enter the licence plate or the VIN"),
        ({"kind": "device", "plate": "", "make": "", "model": ""}, "Tell us which device"),
        ({"kind": "boat"}, "Not a valid choice"),
        ({"phone": "12"}, "does not look like a phone number"),
        ({"vin": "123"}, "A VIN has 17 characters"),
        ({"slot": "tomorrow at ten"}, "Pick one of the times shown"),
        ({"slot": "2030-01-07T10:00"}, "Pick one of the times shown"),
        ({"slot": "9999-12-31T23:30:00-05:00"}, "Pick one of the times shown"),
    ],
)
def test_bad_booking_input_is_refused_with_400_and_nothing_saved(app, shop, visitor, open_shop, overrides, message):
    before = snapshot(app, shop)

    response = visitor.post("/book", data=booking_form(open_shop, slot_tomorrow(), **overrides))

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert snapshot(app, shop) == before


@pytest.mark.parametrize(
    "slot",
    [
        pytest.param(lambda: slot_tomorrow("20:00"), id="after closing"),
        pytest.param(lambda: slot_tomorrow("16:30"), id="service would run past closing"),
        pytest.param(lambda: slot_tomorrow("10:15"), id="not on the 30-minute grid"),
        pytest.param(lambda: slot_tomorrow("10:00") - timedelta(days=3), id="in the past"),
        pytest.param(lambda: slot_tomorrow("10:00") + timedelta(days=20), id="beyond two weeks"),
    ],
)
def test_a_time_outside_what_the_shop_offers_is_refused_with_400(app, shop, visitor, open_shop, slot):
    before = snapshot(app, shop)

    response = visitor.post("/book", data=booking_form(open_shop, slot()))

    assert response.status_code == 400
    assert "That time is not one we offer" in response.get_data(as_text=True)
    assert snapshot(app, shop) == before


def test_a_closed_day_is_refused(app, shop, visitor):
    tomorrow = shop_today() + timedelta(days=1)
    set_hours(app, shop, {tomorrow.weekday(): ("08:00", "17:00")})
    service = add_service(app, shop)
    day_after = local("UTC", tomorrow + timedelta(days=1), "10:00")

    response = visitor.post("/book", data=booking_form(service, day_after))

    assert response.status_code == 400
    assert appointments_of(app, shop) == []


@pytest.mark.parametrize(("online", "active"), [(True, False), (False, True)])
def test_a_service_not_offered_online_cannot_be_booked(app, shop, visitor, online, active):
    set_hours(app, shop)
    service = add_service(app, shop, "Hidden", online=online, active=active)

    assert visitor.get(f"/book?service={service.id}").status_code == 400
    response = visitor.post("/book", data=booking_form(service, slot_tomorrow()))

    assert response.status_code == 400
    assert "cannot be booked online" in response.get_data(as_text=True)
    assert appointments_of(app, shop) == []


def test_an_unknown_service_is_404(visitor, open_shop):
    assert visitor.get("/book?service=999999").status_code == 404
    assert visitor.post("/book", data=booking_form(open_shop, slot_tomorrow(), service_id=999999)).status_code == 404


def test_the_thanks_page_without_a_booking_sends_back_to_the_booking_page(visitor, open_shop):
    response = visitor.get("/book/thanks")

    assert response.status_code == 302 and response.headers["Location"].endswith("/book")


def test_the_thanks_page_shows_what_was_typed_not_the_matched_customer_record(app, shop, visitor, open_shop):
    add_customer(app, shop, "Private Person", "private@example.com")

    visitor.post(
        "/book", data=booking_form(open_shop, slot_tomorrow(), name="Someone Else", email="PRIVATE@example.com")
    )
    page = visitor.get("/book/thanks").get_data(as_text=True)

    assert "Someone Else" in page and "Private Person" not in page


def test_booking_posts_are_rate_limited(make_app, factory):
    shop = factory.tenant("ratey")
    limited = make_app(RATELIMIT_ENABLED=True)
    client = limited.test_client()
    try:
        statuses = [client.post("/book", data={}, base_url="http://ratey.workbay.test").status_code for _ in range(11)]
        assert client.get("/book", base_url="http://ratey.workbay.test").status_code == 200
    finally:
        limiter.enabled = False
        limiter.reset()
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
    assert shop.id
