"""In a real browser: the owner opens billing, sees the plan and the trial, subscribes, lands on Checkout."""

from __future__ import annotations

import pytest

from tests.billing.helpers import stripe_settings
from tests.fixtures.browser import log_in_page

pytestmark = pytest.mark.browser


@pytest.fixture
def live_stripe(live_app, httpserver):
    """The live app talks to the Stripe stand-in for this test only."""
    settings = stripe_settings(httpserver.url_for("").rstrip("/"))
    saved = {key: live_app.config.get(key) for key in settings}
    live_app.config.update(settings)
    yield httpserver
    live_app.config.update(saved)
    httpserver.clear()


def test_owner_subscribes_from_the_billing_page_and_is_sent_to_stripe_checkout(page, live_server, live_stripe, factory):
    shop = factory.tenant("gearbox")
    checkout_url = live_stripe.url_for("/c/pay/cs_live_gearbox")
    live_stripe.expect_request("/v1/customers", method="POST").respond_with_json({"id": "cus_gearbox"})
    live_stripe.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(
        {"id": "cs_live_gearbox", "object": "checkout.session", "url": checkout_url}
    )
    live_stripe.expect_request("/c/pay/cs_live_gearbox").respond_with_data(
        "<!doctype html><title>Stripe Checkout</title><h1>Pay Workbay</h1>", content_type="text/html"
    )

    log_in_page(page, f"http://gearbox.{live_server}", "owner@gearbox.example.com")
    page.click("nav >> text=Billing")
    page.wait_for_url(f"http://gearbox.{live_server}/billing/")

    assert page.locator("#current-plan").inner_text().strip() == "Pro (free trial)"
    assert "14 days left" in page.locator("#trial-info").inner_text()
    page.click("#plan-pro >> text=Subscribe monthly")

    page.wait_for_url(checkout_url)
    assert page.locator("h1").inner_text() == "Pay Workbay"
    sent = [request.get_data(as_text=True) for request, _ in live_stripe.log if request.path == "/v1/checkout/sessions"]
    assert f"client_reference_id={shop.id}" in sent[0]
