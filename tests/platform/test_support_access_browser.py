"""In a real browser: an admin logs in to the console (password and second factor), enters a shop as one of its
staff, works under the banner, ends the visit and is back on the console's page of the shop."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from saas.auth.roles import Role
from tests.factories import PASSWORD, fresh_totp_code

pytestmark = pytest.mark.browser

REASON = "The owner cannot find last week's invoices (ticket 815)."


def test_an_admin_visits_a_shop_under_the_banner_and_comes_back_to_the_console(
    page, live_server, live_app, live_outbox, factory
):
    shop = factory.tenant("visited", name="Visited Garage")
    factory.user(shop, Role.SERVICE_ADVISOR, email="sam@visited.example.com", name="Sam Advisor")
    admin = factory.platform_admin("helper@workbay.example.com", role="support")
    console = f"http://admin.{live_server}"
    shop_base = f"http://visited.{live_server}"

    page.goto(f"{console}/login")
    page.fill("#email", admin.email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url(f"{console}/login/second-factor*")
    page.fill("#code", fresh_totp_code(SimpleNamespace(application=live_app), admin.email))
    page.click("button:has-text('Verify')")
    page.wait_for_url(f"{console}/")

    page.goto(f"{console}/shops/{shop.id}")
    page.select_option("#user_id", label="Sam Advisor (Service advisor) · sam@visited.example.com")
    page.fill("#reason", REASON)
    page.check("#confirm")
    page.click("button:has-text('Enter the shop as this person')")

    page.wait_for_url(f"{shop_base}/")
    banner = page.locator(".support-banner")
    assert "Root is here as Sam Advisor" in banner.inner_text()
    assert "read-only" in banner.inner_text()
    assert "Workbay support is entering Visited Garage" in live_outbox.last_to("owner@visited.example.com")["Subject"]

    page.click("nav >> text=Customers")
    page.wait_for_url(f"{shop_base}/customers")
    assert page.locator(".support-banner").count() == 1

    page.click(".support-banner button:has-text('End the visit')")
    page.wait_for_url(f"{console}/shops/{shop.id}")
    assert "Visited Garage" in page.content()
    assert page.locator("#support-access").locator(f"text={REASON}").count() == 1

    page.goto(f"{shop_base}/customers")
    page.wait_for_url(re.compile(re.escape(shop_base) + r"/login.*"))
