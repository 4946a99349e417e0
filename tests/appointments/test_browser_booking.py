"""In a real browser: a customer books online on the shop's page, staff confirm it from the calendar."""

import os
import threading
from datetime import timedelta

import pytest

from tests.appointments.helpers import add_appointment, add_customer, add_service, local, set_hours, shop_today
from tests.fixtures.browser import chromium_path, log_in_page

pytestmark = pytest.mark.browser


def in_a_browser(scenario) -> None:
    """Run `scenario(page)` in headless Chromium, on a thread of its own.

    Playwright's sync API refuses to start beside another sync session on the same thread, and
    tests/browser keeps one open for the whole test session; a separate thread has no such clash.
    """
    path = chromium_path()
    if path is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("Chromium is required (REQUIRE_BROWSER=1) but missing: apt-get install chromium")
        pytest.skip("Chromium is not installed: apt-get install chromium (make test does it when it can)")
    from playwright.sync_api import sync_playwright

    failures: list[BaseException] = []

    def run() -> None:
        try:
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-gpu"])
                try:
                    page = chromium.new_context().new_page()
                    page.set_default_timeout(15000)
                    scenario(page)
                finally:
                    chromium.close()
        except BaseException as error:  # handed to the test's own thread below
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=180)
    assert not thread.is_alive(), "the browser scenario did not finish"
    if failures:
        raise failures[0]


def test_a_customer_books_online_and_staff_confirm_it_from_the_calendar(app, factory, live_server):
    shop = factory.tenant("garage")
    set_hours(app, shop)
    add_service(app, shop, "Oil change", 60)
    regular, _ = add_customer(app, shop, "Regular Customer", "regular@example.com")
    day = shop_today() + timedelta(days=1)
    add_appointment(app, shop, regular, local("UTC", day, "08:00"), minutes=90)
    shop_url = f"http://garage.{live_server}"

    def scenario(page) -> None:
        page.goto(f"{shop_url}/book")
        page.click("text=Choose")
        assert page.locator(f"input[value='{local('UTC', day, '08:00').isoformat()}']").count() == 0  # taken
        page.click(f"label:has(input[value='{local('UTC', day, '10:00').isoformat()}'])")
        page.fill("#name", "Sam Driver")
        page.fill("#email", "sam@example.com")
        page.fill("#phone", "555 201 0100")
        page.fill("#plate", "XYZ 987")
        page.fill("#make", "Honda")
        page.fill("#model", "Civic")
        page.check("#consent")
        page.click("text=Request this appointment")
        page.wait_for_url(f"{shop_url}/book/thanks")
        assert "Thank you, Sam Driver!" in page.content()

        log_in_page(page, f"{shop_url}", "owner@garage.example.com")
        page.goto(f"{shop_url}/appointments?view=week&date={day.isoformat()}")
        assert "Waiting for your confirmation (1)" in page.locator("h2:has-text('Waiting')").inner_text()
        page.click(".cal-appt:has-text('Sam Driver')")
        page.click("button:has-text('Confirm')")
        assert "Appointment confirmed. We e-mailed Sam Driver." in page.content()

        page.set_viewport_size({"width": 390, "height": 844})  # a phone: the day stacks as a list
        page.goto(f"{shop_url}/appointments?date={day.isoformat()}")
        sam = page.locator(".cal-appt", has_text="Sam Driver")
        assert sam.evaluate("e => getComputedStyle(e).position") == "static"
        assert "10:00–11:00 Sam Driver" in sam.inner_text()

    in_a_browser(scenario)
