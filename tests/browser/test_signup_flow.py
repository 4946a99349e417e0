"""In a real browser: sign up a shop on the public site, arrive on its subdomain, log in again."""

import time

import pytest

pytestmark = pytest.mark.browser


def test_new_shop_signs_up_lands_on_its_subdomain_and_logs_in_again(page, live_server):
    page.goto(f"http://{live_server}/")
    page.click("text=Start your 14-day free trial")

    page.fill("#shop_name", "Sparkplug Garage")
    page.fill("#subdomain", "sparkplug")
    page.wait_for_selector("#subdomain-status.ok")  # the live availability check answered
    page.fill("#owner_name", "Rita Mechanic")
    page.fill("#email", "rita@sparkplug.example.com")
    page.fill("#password", "a-long-password")
    page.fill("#confirm", "a-long-password")
    page.select_option("#country", "DE")
    page.check("#accept_policies")
    page.click("text=Create my shop")

    page.wait_for_url(f"http://sparkplug.{live_server}/")
    assert "Welcome to Workbay, Rita Mechanic" in page.content()
    assert page.locator(".brand").inner_text().strip() == "Sparkplug Garage"
    assert "Please confirm your e-mail address" in page.content()

    page.click("text=Log out")
    page.wait_for_url(f"http://sparkplug.{live_server}/login")
    page.fill("#email", "rita@sparkplug.example.com")
    page.fill("#password", "a-long-password")
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"http://sparkplug.{live_server}/")
    assert "Good to see you, Rita" in page.content()
    assert "Getting started" in page.content()


def test_a_subdomain_typed_before_the_pages_script_ran_is_still_checked(page, live_server):
    """A fast typist (or the browser's autofill) beats a slow script: its value is checked once it runs."""

    def late_script(route):
        time.sleep(0.5)  # the page is usable before its script arrives
        route.continue_()

    page.route("**/static/js/app.js*", late_script)
    page.goto(f"http://{live_server}/signup", wait_until="commit")
    page.fill("#subdomain", "sparkplug")

    page.wait_for_selector("#subdomain-status.ok")
