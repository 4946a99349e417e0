"""In a real browser: the asset form checks a VIN as it is typed, fills in make and year, switches kinds."""

import pytest

from tests.fixtures.browser import log_in_page

pytestmark = pytest.mark.browser


def test_typing_a_vin_checks_it_and_prefills_make_and_year(page, live_server, factory):
    shop = factory.tenant("vinshop")
    customer = factory.customer(shop, name="Vin Typer")
    base = f"http://vinshop.{live_server}"
    log_in_page(page, base, factory.owner(shop).email)

    page.goto(f"{base}/customers/{customer.id}")
    page.click("text=+ Device")
    page.wait_for_url(f"{base}/customers/{customer.id}/assets/new?kind=device")
    page.wait_for_selector("#vin", state="hidden")  # the script shows only the device's fields
    assert page.is_visible("#serial")
    page.select_option("#kind", "vehicle")
    page.wait_for_selector("#serial", state="hidden")
    assert page.is_visible("#vin")

    page.fill("#vin", "1HGCM82633A004353")
    page.wait_for_selector("#vin-status.error")
    assert "check digit" in page.inner_text("#vin-status")
    assert page.input_value("#make") == ""

    page.fill("#vin", "1HGCM82633A004352")
    page.wait_for_selector("#vin-status.ok")
    assert (page.input_value("#make"), page.input_value("#year")) == ("Honda", "2003")
    page.fill("#model", "Accord")
    page.click("button:has-text('Save')")
    page.wait_for_url(f"{base}/customers/{customer.id}")
    assert "2003 Honda Accord" in page.content()
