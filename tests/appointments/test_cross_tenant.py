"""Two shops: acme's staff and visitors try bravo's appointments, services, customers and vehicles.

Every attempt answers 404 and leaves bravo's rows as they were; a booking on acme's host
only ever writes acme's rows.
"""

from datetime import timedelta

import pytest

from tests.appointments.helpers import (
    add_appointment,
    add_customer,
    add_service,
    appointments_of,
    booking_form,
    local,
    set_hours,
    shop_today,
    snapshot,
)

# Every route of the appointments and booking blueprints that takes an id, with what to send.
ID_ROUTES = {
    "appointments.show": [("GET", "/appointments/{appointment}", None)],
    "appointments.move": [
        ("GET", "/appointments/{appointment}/move", None),
        ("POST", "/appointments/{appointment}/move", "move"),
    ],
    "appointments.confirm": [("POST", "/appointments/{appointment}/confirm", None)],
    "appointments.cancel": [("POST", "/appointments/{appointment}/cancel", "cancel")],
    "appointments.complete": [("POST", "/appointments/{appointment}/complete", None)],
    "appointments.no_show": [("POST", "/appointments/{appointment}/no-show", None)],
    "appointments.edit_service": [
        ("GET", "/appointments/settings/services/{service}/edit", None),
        ("POST", "/appointments/settings/services/{service}/edit", "service"),
    ],
}


def _day_after_tomorrow():
    return shop_today() + timedelta(days=2)


@pytest.fixture
def bravo(app, other_shop):
    """bravo's rows: hours, a service, a customer with a vehicle, a requested appointment."""
    set_hours(app, other_shop)
    service = add_service(app, other_shop, "Bravo service", 60)
    customer, asset = add_customer(app, other_shop, "Bravo Customer", "bravo@example.com", plate="BRAVO-1")
    appointment = add_appointment(
        app,
        other_shop,
        customer,
        local("UTC", _day_after_tomorrow(), "10:00"),
        status="requested",
        service=service,
        asset=asset,
        source="online",
    )
    return {"shop": other_shop, "service": service, "customer": customer, "asset": asset, "appointment": appointment}


def _forms(ids: dict) -> dict:
    when = local("UTC", _day_after_tomorrow(), "15:00")
    return {
        None: None,
        "move": {"day": when.date().isoformat(), "start": "15:00"},
        "cancel": {"notify": "y"},
        "service": {"name": "Hijacked", "duration_minutes": "5", "online": "y", "active": "y"},
    }


def test_every_id_route_has_a_cross_tenant_case(app):
    routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("appointments.", "booking.")) and "<int:" in rule.rule
    }

    assert routes == set(ID_ROUTES)


def test_staff_of_another_shop_get_404_for_every_route_with_an_id_and_change_nothing(
    app, shop, owner_client, bravo, outbox
):
    before = snapshot(app, bravo["shop"])
    ids = {"appointment": bravo["appointment"].id, "service": bravo["service"].id}
    forms = _forms(ids)

    statuses = {
        (method, path): owner_client.open(path.format(**ids), method=method, data=forms[form]).status_code
        for attempts in ID_ROUTES.values()
        for method, path, form in attempts
    }

    assert statuses == dict.fromkeys(statuses, 404)
    assert snapshot(app, bravo["shop"]) == before
    assert outbox.messages == []


def test_the_same_requests_with_the_shops_own_ids_are_served(app, shop, owner_client, open_shop):
    """The control: the paths and forms above do reach acme's own rows."""
    customer, _ = add_customer(app, shop)
    statuses = {}
    for endpoint, attempts in ID_ROUTES.items():
        # A fresh requested appointment each time, so every action has something to act on.
        appointment = add_appointment(
            app,
            shop,
            customer,
            local("UTC", shop_today(), "00:00") - timedelta(days=len(statuses) + 1),
            status="requested",
        )
        ids = {"appointment": appointment.id, "service": open_shop.id}
        forms = _forms(ids)
        for method, path, form in attempts:
            statuses[(endpoint, method)] = owner_client.open(
                path.format(**ids), method=method, data=forms[form]
            ).status_code

    assert set(statuses.values()) <= {200, 302}, statuses
    assert snapshot(app, shop)["services"][0]["name"] == "Hijacked"


@pytest.mark.parametrize("field", ["customer_id", "asset_id", "service_id"])
def test_another_shops_ids_in_the_new_appointment_form_are_404(app, shop, owner_client, bravo, field):
    own_customer, _ = add_customer(app, shop)
    form = {"customer_id": own_customer.id, "day": _day_after_tomorrow().isoformat(), "start": "15:00"}
    form[field] = {
        "customer_id": bravo["customer"].id,
        "asset_id": bravo["asset"].id,
        "service_id": bravo["service"].id,
    }[field]
    before = snapshot(app, bravo["shop"])

    response = owner_client.post("/appointments/new", data=form)

    assert response.status_code == 404
    assert appointments_of(app, shop) == []
    assert snapshot(app, bravo["shop"]) == before


def test_another_shops_customer_cannot_be_picked_for_a_new_appointment(owner_client, bravo):
    assert owner_client.get(f"/appointments/new?customer_id={bravo['customer'].id}").status_code == 404
    assert "Bravo Customer" not in owner_client.get("/appointments/new?q=bravo").get_data(as_text=True)


def test_the_calendar_shows_only_the_shops_own_appointments(owner_client, bravo):
    page = owner_client.get(f"/appointments?view=week&date={_day_after_tomorrow()}").get_data(as_text=True)

    assert "Bravo Customer" not in page and "Waiting for your confirmation" not in page


def test_another_shops_service_is_404_on_the_booking_page_and_nothing_is_written(app, shop, visitor, open_shop, bravo):
    before = {"acme": snapshot(app, shop), "bravo": snapshot(app, bravo["shop"])}
    form = booking_form(bravo["service"], local("UTC", _day_after_tomorrow(), "11:00"))

    assert visitor.get(f"/book?service={bravo['service'].id}").status_code == 404
    assert visitor.post("/book", data=form).status_code == 404

    assert {"acme": snapshot(app, shop), "bravo": snapshot(app, bravo["shop"])} == before


def test_a_booking_on_one_shops_host_writes_only_that_shops_rows(app, shop, visitor, open_shop, bravo):
    """bravo's customer e-mail and plate, and a tenant_id field, cannot pull the booking into bravo."""
    before = snapshot(app, bravo["shop"])
    when = local("UTC", _day_after_tomorrow(), "10:00")  # the very time bravo has booked
    form = booking_form(open_shop, when, email="bravo@example.com", plate="BRAVO-1", tenant_id=bravo["shop"].id)

    response = visitor.post("/book", data=form)

    assert response.status_code == 302
    assert snapshot(app, bravo["shop"]) == before
    acme = snapshot(app, shop)
    assert [c["tenant_id"] for c in acme["customers"]] == [shop.id]
    assert [a["tenant_id"] for a in acme["assets"]] == [shop.id]
    assert [(a["tenant_id"], a["starts_at"]) for a in acme["appointments"]] == [(shop.id, when)]


def test_the_thanks_page_of_one_shop_says_nothing_on_another(app, shop, visitor, open_shop, shop_client, bravo):
    visitor.post("/book", data=booking_form(open_shop, local("UTC", _day_after_tomorrow(), "09:00")))
    bravo_visitor = shop_client("bravo")

    assert bravo_visitor.get("/book/thanks").status_code == 302
