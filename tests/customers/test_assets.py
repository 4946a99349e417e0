"""Vehicles and devices: added and edited from the customer page; VINs and IMEIs are checked."""

from datetime import UTC, datetime
from unittest import mock

import pytest

from saas.auth.roles import Role
from saas.customers.vin import check_vin
from tests.factories import log_in

VALID_VINS = ["1HGCM82633A004352", "1M8GDM9AXKP042788"]
# The first valid VIN with one character changed: the check digit no longer matches.
TYPO_VIN = "1HGCM82633A004353"


@pytest.fixture
def customer(factory, shop):
    return factory.customer(shop, name="Car Owner")


def post_asset(client, customer_id, **data):
    return client.post(f"/customers/{customer_id}/assets/new", data=data)


# --- VIN rules -------------------------------------------------------------------------------


@pytest.mark.parametrize("vin", VALID_VINS)
def test_vin_with_a_matching_check_digit_is_valid(vin):
    assert check_vin(vin).valid


@pytest.mark.parametrize("vin", [TYPO_VIN, "2HGCM82633A004352", "1M8GDM9A0KP042788", "1M8GDM9AXKP042789"])
def test_vin_with_a_typo_is_refused(vin):
    checked = check_vin(vin)
    assert not checked.valid
    assert "check digit" in checked.message


def test_vin_of_the_wrong_length_or_with_i_o_q_is_refused_with_a_reason():
    assert "17 characters" in check_vin("1HGCM82633A00435").message
    assert "except I, O and Q" in check_vin("1HGCM82633AOO4352").message


def test_vin_decodes_maker_and_the_most_recent_model_year_that_is_not_in_the_future():
    honda = check_vin("1hgcm8 2633a-004352")
    assert (honda.vin, honda.make, honda.year) == ("1HGCM82633A004352", "Honda", 2003)
    # K is 1989 or 2019: the later one, since it is not in the future.
    assert check_vin("1M8GDM9AXKP042788").year == 2019
    with mock.patch("saas.customers.vin.utcnow", return_value=datetime(2018, 6, 1, tzinfo=UTC)):
        assert check_vin("1M8GDM9AXKP042788").year == 1989


def test_european_vin_without_a_check_digit_is_accepted_outside_north_america():
    assert check_vin("WVWZZZ1JZXW000001", "DE").valid
    assert not check_vin("WVWZZZ1JZXW000001", "US").valid


# --- the asset form ----------------------------------------------------------------------------


def test_owner_adds_a_vehicle_and_make_and_year_are_filled_in_from_the_vin(owner_client, shop, customer, shop_data):
    response = post_asset(
        owner_client,
        customer.id,
        kind="vehicle",
        vin="1hgcm82633a004352",
        model="Accord",
        plate="abc 123",
        plate_region="CA",
        odometer="120500",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/customers/{customer.id}")
    [asset] = shop_data.assets_of(shop.id)
    assert {
        key: asset[key]
        for key in ("kind", "vin", "make", "model", "year", "plate", "plate_region", "odometer", "customer_id")
    } == {
        "kind": "vehicle",
        "vin": "1HGCM82633A004352",
        "make": "Honda",
        "model": "Accord",
        "year": 2003,
        "plate": "ABC 123",
        "plate_region": "CA",
        "odometer": 120500,
        "customer_id": customer.id,
    }


def test_make_and_year_the_user_typed_win_over_the_vin(owner_client, shop, customer, shop_data):
    post_asset(owner_client, customer.id, kind="vehicle", vin="1HGCM82633A004352", make="Acura", year="2004")
    [asset] = shop_data.assets_of(shop.id)
    assert (asset["make"], asset["year"]) == ("Acura", 2004)


def test_vehicle_with_a_bad_vin_is_refused_with_a_clear_message_and_nothing_saved(
    owner_client, shop, customer, shop_data
):
    response = post_asset(owner_client, customer.id, kind="vehicle", vin=TYPO_VIN, make="Honda")
    assert response.status_code == 400
    assert "check digit" in response.get_data(as_text=True)
    assert shop_data.assets_of(shop.id) == []


def test_owner_adds_a_device_with_a_valid_imei(owner_client, shop, customer, shop_data):
    response = post_asset(
        owner_client,
        customer.id,
        kind="device",
        device_type="Phone",
        make="Apple",
        model="iPhone 13",
        serial="49-015420-323751-8",
        plate="SHOULD-NOT-STICK",
    )
    assert response.status_code == 302
    [asset] = shop_data.assets_of(shop.id)
    assert (asset["kind"], asset["serial"], asset["device_type"], asset["plate"]) == (
        "device",
        "490154203237518",
        "Phone",
        None,
    )


def test_imei_that_fails_the_luhn_check_is_refused(owner_client, shop, customer, shop_data):
    response = post_asset(owner_client, customer.id, kind="device", serial="490154203237519")
    assert response.status_code == 400
    assert "IMEI" in response.get_data(as_text=True)
    assert shop_data.assets_of(shop.id) == []


def test_a_serial_that_is_not_an_imei_is_kept_as_typed(owner_client, shop, customer, shop_data):
    assert post_asset(owner_client, customer.id, kind="device", serial="C02XK1ABJG5H").status_code == 302
    assert shop_data.assets_of(shop.id)[0]["serial"] == "C02XK1ABJG5H"


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "boat"},
        {"kind": "vehicle", "year": "1492"},
        {"kind": "vehicle", "odometer": "-5"},
        {"kind": "vehicle", "year": "soon"},
    ],
)
def test_bad_asset_input_is_refused_and_nothing_saved(owner_client, shop, customer, shop_data, data):
    assert post_asset(owner_client, customer.id, **data).status_code == 400
    assert shop_data.assets_of(shop.id) == []


def test_owner_edits_a_vehicle(owner_client, shop, customer, shop_data):
    asset_id = shop_data.asset(shop.id, customer.id, plate="OLD-1", make="Ford", model="Focus", year=2012)
    form = owner_client.get(f"/customers/assets/{asset_id}/edit").get_data(as_text=True)
    assert 'value="OLD-1"' in form and "Car Owner" in form
    response = owner_client.post(
        f"/customers/assets/{asset_id}/edit",
        data={
            "kind": "vehicle",
            "plate": "NEW-2",
            "make": "Ford",
            "model": "Focus",
            "year": "2012",
            "odometer": "80000",
        },
    )
    assert response.status_code == 302
    [asset] = shop_data.assets_of(shop.id)
    assert (asset["plate"], asset["odometer"]) == ("NEW-2", 80000)


def test_new_asset_form_opens_on_the_kind_asked_for(owner_client, customer):
    page = owner_client.get(f"/customers/{customer.id}/assets/new?kind=device").get_data(as_text=True)
    assert '<option selected value="device">' in page or '<option value="device" selected>' in page
    assert "data-vin-lookup=" in page


def test_technician_cannot_add_or_edit_assets(factory, shop, shop_client, customer, shop_data):
    asset_id = shop_data.asset(shop.id, customer.id, plate="KEEP-1")
    client = shop_client("acme")
    log_in(client, factory.user(shop, Role.TECHNICIAN).email)
    assert post_asset(client, customer.id, kind="vehicle", plate="X").status_code == 403
    assert client.post(f"/customers/assets/{asset_id}/edit", data={"kind": "vehicle"}).status_code == 403
    assert [a["plate"] for a in shop_data.assets_of(shop.id)] == ["KEEP-1"]


# --- the VIN lookup used by the form's script ---------------------------------------------------


def test_vin_lookup_answers_json_with_validity_maker_and_year(owner_client):
    data = owner_client.get("/customers/vin-lookup?vin=1HGCM82633A004352").get_json()
    assert (data["valid"], data["make"], data["year"]) == (True, "Honda", 2003)
    assert "Honda" in data["message"]
    bad = owner_client.get(f"/customers/vin-lookup?vin={TYPO_VIN}").get_json()
    assert (bad["valid"], bad["make"], bad["year"]) == (False, None, None)
    assert "check digit" in bad["message"]
    assert owner_client.get("/customers/vin-lookup").get_json()["valid"] is False


def test_vin_lookup_needs_a_login(shop, shop_client):
    assert shop_client("acme").get("/customers/vin-lookup?vin=1HGCM82633A004352").status_code == 302
