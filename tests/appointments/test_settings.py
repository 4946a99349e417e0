"""Appointments settings: opening hours per weekday and bookable services."""

import pytest

from saas.auth.roles import Role
from tests.appointments.helpers import add_service, set_hours, snapshot
from tests.factories import log_in


def hours_form(open_days: dict[int, tuple[str, str]]) -> dict:
    """What the browser sends: times for open days; closed days send no tick (and no times here)."""
    data = {}
    for weekday, (opens_at, closes_at) in open_days.items():
        data[f"day{weekday}-is_open"] = "y"
        data[f"day{weekday}-opens_at"], data[f"day{weekday}-closes_at"] = opens_at, closes_at
    return data


def test_settings_start_empty_and_invite_to_set_hours_and_services(owner_client):
    page = owner_client.get("/appointments/settings").get_data(as_text=True)

    assert "No opening hours yet" in page and "No services yet" in page
    assert "http://acme.workbay.test/book" in page


def test_owner_sets_opening_hours_per_weekday(app, shop, owner_client):
    assert owner_client.get("/appointments/settings/hours").status_code == 200

    response = owner_client.post(
        "/appointments/settings/hours", data=hours_form({0: ("08:00", "17:00"), 5: ("09:30", "13:00")})
    )

    assert response.status_code == 302
    hours = {(h["weekday"], str(h["opens_at"]), str(h["closes_at"])) for h in snapshot(app, shop)["hours"]}
    assert hours == {(0, "08:00:00", "17:00:00"), (5, "09:30:00", "13:00:00")}
    page = owner_client.get("/appointments/settings").get_data(as_text=True)
    assert "09:30–13:00" in page and "closed" in page


def test_the_hours_form_shows_the_current_hours(app, shop, owner_client):
    set_hours(app, shop, {1: ("07:45", "16:15")})

    page = owner_client.get("/appointments/settings/hours").get_data(as_text=True)

    assert 'name="day1-opens_at" type="time" value="07:45"' in page
    assert 'id="day1-is_open" name="day1-is_open" type="checkbox" value="y"' in page


def test_closing_a_day_removes_its_hours(app, shop, owner_client):
    set_hours(app, shop, {0: ("08:00", "17:00"), 1: ("08:00", "17:00")})

    owner_client.post("/appointments/settings/hours", data=hours_form({1: ("08:00", "17:00")}))

    assert [h["weekday"] for h in snapshot(app, shop)["hours"]] == [1]


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (("17:00", "08:00"), "Closing must be after opening."),
        (("08:00", ""), "When does the shop close?"),
        (("nine", "17:00"), "Not a valid time value"),
    ],
)
def test_impossible_hours_are_refused_and_nothing_saved(app, shop, owner_client, day, message):
    set_hours(app, shop, {0: ("08:00", "17:00")})
    before = snapshot(app, shop)

    response = owner_client.post("/appointments/settings/hours", data=hours_form({2: day}))

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert snapshot(app, shop) == before


def test_owner_adds_and_edits_a_bookable_service(app, shop, owner_client):
    response = owner_client.post(
        "/appointments/settings/services/new",
        data={"name": "Oil change", "duration_minutes": "45", "online": "y", "active": "y", "description": "Any car"},
    )
    assert response.status_code == 302
    [service] = snapshot(app, shop)["services"]
    assert (service["name"], service["duration_minutes"], service["online"], service["active"]) == (
        "Oil change",
        45,
        True,
        True,
    )

    owner_client.post(
        f"/appointments/settings/services/{service['id']}/edit",
        data={"name": "Oil change", "duration_minutes": "60", "active": "y"},
    )

    [service] = snapshot(app, shop)["services"]
    assert (service["duration_minutes"], service["online"], service["active"]) == (60, False, True)
    assert "Oil change" in owner_client.get("/appointments/settings").get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "", "duration_minutes": "30"}, "This field is required"),
        ({"name": "Quick", "duration_minutes": "0"}, "Number must be between 5 and 720"),
        ({"name": "Quick", "duration_minutes": "ages"}, "Not a valid integer value"),
        ({"name": "OIL CHANGE", "duration_minutes": "30"}, "There is already a service called"),
    ],
)
def test_bad_services_are_refused_and_nothing_saved(app, shop, owner_client, form, message):
    add_service(app, shop, "Oil change")
    before = snapshot(app, shop)

    response = owner_client.post("/appointments/settings/services/new", data=form)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert snapshot(app, shop) == before


def test_only_managers_and_owners_change_appointment_settings(app, factory, shop, shop_client):
    advisor = factory.user(shop, Role.SERVICE_ADVISOR)
    manager = factory.user(shop, Role.MANAGER)
    advisor_client, manager_client = shop_client("acme"), shop_client("acme")
    log_in(advisor_client, advisor.email)
    log_in(manager_client, manager.email)

    assert advisor_client.get("/appointments/settings").status_code == 403
    assert (
        advisor_client.post("/appointments/settings/hours", data=hours_form({0: ("08:00", "17:00")})).status_code == 403
    )
    assert (
        manager_client.post("/appointments/settings/hours", data=hours_form({0: ("08:00", "17:00")})).status_code == 302
    )
