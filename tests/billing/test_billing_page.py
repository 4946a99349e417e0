"""The owner's billing page, Checkout and the Customer Portal against the Stripe stand-in; the pricing page."""

from __future__ import annotations

import json
import socket
from urllib.parse import parse_qs

from werkzeug import Response

from saas.auth.roles import Role
from tests.billing.helpers import stripe_list, stripe_settings, subscription_object
from tests.factories import log_in


def form_of(request) -> dict:
    return {key: values[0] for key, values in parse_qs(request.get_data(as_text=True)).items()}


def test_with_billing_off_the_page_says_so_and_offers_no_payment(alpha_owner):
    page = alpha_owner.get("/billing/").get_data(as_text=True)

    assert "Online billing is switched off" in page
    assert "stays on its\n  free trial" in page or "free trial" in page
    assert "Subscribe monthly" not in page
    assert alpha_owner.post("/billing/checkout", data={"plan": "pro", "interval": "month"}).status_code == 400


def test_owner_sees_plan_trial_and_seats(stripe_api, alpha_owner):
    page = alpha_owner.get("/billing/").get_data(as_text=True)

    assert "Pro (free trial)" in page
    assert "14 days left" in page
    assert "1 used of 10" in page
    assert "Subscribe monthly" in page and "Online billing is switched off" not in page


def test_only_the_owner_may_open_billing(stripe_api, factory, shop_client, alpha):
    for role in (Role.MANAGER, Role.SERVICE_ADVISOR, Role.TECHNICIAN):
        user = factory.user(alpha, role)
        client = shop_client("alpha")
        log_in(client, user.email)
        assert client.get("/billing/").status_code == 403
        assert client.post("/billing/checkout", data={"plan": "pro", "interval": "month"}).status_code == 403
        assert client.post("/billing/portal").status_code == 403
    assert stripe_api.log == []


def test_subscribe_creates_the_customer_and_a_checkout_session_and_redirects_there(
    stripe_api, alpha_owner, billing, alpha
):
    stripe_api.expect_oneshot_request("/v1/customers", method="POST").respond_with_json(
        {"id": "cus_alpha", "object": "customer"}
    )
    stripe_api.expect_oneshot_request("/v1/checkout/sessions", method="POST").respond_with_json(
        {"id": "cs_alpha", "object": "checkout.session", "url": "https://checkout.stripe.test/c/pay/cs_alpha"}
    )

    response = alpha_owner.post("/billing/checkout", data={"plan": "starter", "interval": "year"})

    assert response.status_code == 303
    assert response.headers["Location"] == "https://checkout.stripe.test/c/pay/cs_alpha"
    customer_request, session_request = (request for request, _ in stripe_api.log)
    assert customer_request.headers["Authorization"] == "Bearer sk_test_workbay"
    assert customer_request.headers["Idempotency-Key"] == f"workbay-customer-{alpha.id}"
    sent = form_of(session_request)
    assert sent["mode"] == "subscription"
    assert sent["customer"] == "cus_alpha"
    assert sent["client_reference_id"] == str(alpha.id)
    assert sent["allow_promotion_codes"] == "true"
    assert sent["line_items[0][price]"] == "price_starter_year"
    assert "automatic_tax[enabled]" not in sent
    assert int(sent["subscription_data[trial_end]"]) > 0  # the rest of the free trial is kept
    assert billing.customers() == {"cus_alpha": alpha.id}
    assert billing.subscription(alpha.id)["checkout_session"] == "cs_alpha"


def test_tax_collection_follows_the_setting(stripe_api, configure, alpha_owner):
    configure(STRIPE_TAX_ENABLED=True)
    stripe_api.expect_request("/v1/customers", method="POST").respond_with_json({"id": "cus_alpha"})
    stripe_api.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(
        {"id": "cs_1", "url": "https://checkout.stripe.test/cs_1"}
    )

    alpha_owner.post("/billing/checkout", data={"plan": "pro", "interval": "month"})

    assert form_of(stripe_api.log[-1][0])["automatic_tax[enabled]"] == "true"


def test_stripe_failing_midway_shows_a_clear_message_and_keeps_nothing(stripe_api, alpha_owner, billing, alpha):
    stripe_api.expect_request("/v1/customers", method="POST").respond_with_json({"id": "cus_alpha"})
    stripe_api.expect_request("/v1/checkout/sessions", method="POST").respond_with_json(
        {"error": {"type": "api_error", "message": "Something went wrong"}}, status=500
    )

    response = alpha_owner.post("/billing/checkout", data={"plan": "pro", "interval": "month"})

    assert response.status_code == 503
    assert "could not reach our payment provider" in response.get_data(as_text=True)
    assert billing.customers() == {}
    assert billing.subscription(alpha.id).get("customer") is None
    assert billing.subscription(alpha.id).get("checkout_session") is None


def test_stripe_unreachable_shows_a_clear_message_and_keeps_nothing(configure, alpha_owner, billing, alpha):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    configure(**stripe_settings(f"http://127.0.0.1:{closed}"))

    response = alpha_owner.post("/billing/checkout", data={"plan": "pro", "interval": "month"})

    assert response.status_code == 503
    assert "could not reach our payment provider" in response.get_data(as_text=True)
    assert billing.customers() == {}


def test_a_shop_with_a_subscription_changes_plan_in_the_portal_not_in_checkout(stripe_api, alpha_owner, billing, alpha):
    billing.link(alpha.id, "cus_alpha", stripe_subscription_id="sub_alpha", status="active", plan="pro")
    stripe_api.expect_request("/v1/invoices").respond_with_json(stripe_list([], "/v1/invoices"))
    stripe_api.expect_request("/v1/billing_portal/sessions", method="POST").respond_with_json(
        {"id": "bps_1", "url": "https://billing.stripe.test/p/session/bps_1"}
    )

    refused = alpha_owner.post("/billing/checkout", data={"plan": "enterprise", "interval": "month"})
    portal = alpha_owner.post("/billing/portal")

    assert refused.status_code == 400 and "Manage billing" in refused.get_data(as_text=True)
    assert portal.status_code == 303
    assert portal.headers["Location"] == "https://billing.stripe.test/p/session/bps_1"
    assert form_of(stripe_api.log[-1][0])["customer"] == "cus_alpha"


def test_the_owner_sees_only_their_own_shops_billing(stripe_api, alpha_owner, shop_client, billing, alpha, bravo):
    billing.link(alpha.id, "cus_alpha", stripe_subscription_id="sub_alpha", status="active", plan="pro")
    billing.link(bravo.id, "cus_bravo", stripe_subscription_id="sub_bravo", status="past_due", plan="enterprise")

    def invoices(request):
        customer = request.args["customer"]
        data = [{"id": f"in_{customer}", "object": "invoice", "created": 1_790_000_000, "total": 7900,
                 "currency": "usd", "status": "paid", "invoice_pdf": f"https://pay.stripe.test/{customer}.pdf"}]  # fmt: skip
        return Response(json.dumps(stripe_list(data, "/v1/invoices")), content_type="application/json")

    stripe_api.expect_request("/v1/invoices").respond_with_handler(invoices)

    page = alpha_owner.get("/billing/").get_data(as_text=True)

    assert "https://pay.stripe.test/cus_alpha.pdf" in page and "cus_bravo" not in page
    assert "Enterprise</h3>" in page and "past due" not in page
    assert [request.args["customer"] for request, _ in stripe_api.log] == ["cus_alpha"]
    # Alpha's session means nothing at bravo: the login page, not bravo's billing.
    alpha_cookie_at_bravo = shop_client("bravo")
    assert alpha_cookie_at_bravo.get("/billing/").status_code == 302
    assert alpha_owner.get("/billing/", base_url="http://bravo.workbay.test").status_code == 302
    assert alpha_owner.post("/billing/portal", base_url="http://bravo.workbay.test").status_code == 302


def test_invoices_that_stripe_cannot_list_leave_the_page_working(stripe_api, alpha_owner, billing, alpha):
    billing.link(alpha.id, "cus_alpha", stripe_subscription_id="sub_alpha", status="active", plan="pro")
    stripe_api.expect_request("/v1/invoices").respond_with_json({"error": {"message": "down"}}, status=500)

    response = alpha_owner.get("/billing/")

    assert response.status_code == 200
    assert "could not reach our payment provider" in response.get_data(as_text=True)


def test_the_pricing_page_is_built_from_the_plans_and_linked_from_the_public_site(client):
    landing = client.get("/").get_data(as_text=True)
    page = client.get("/pricing").get_data(as_text=True)

    assert 'href="/pricing"' in landing
    for name in ("Starter", "Pro", "Enterprise"):
        assert f"<h2>{name}</h2>" in page
    assert "Online booking page" in page and "per seat" in page


def test_flask_billing_sync_repairs_drift_from_stripe(stripe_api, app, billing, alpha):
    billing.link(alpha.id, "cus_alpha", stripe_subscription_id="sub_alpha", status="active", plan="pro")
    stripe_api.expect_request("/v1/subscriptions").respond_with_json(
        stripe_list([subscription_object("canceled", price="price_starter_month")], "/v1/subscriptions")
    )

    result = app.test_cli_runner().invoke(args=["billing", "sync"])

    assert result.exit_code == 0, result.output
    assert f"shop {alpha.id}: subscription sub_alpha is canceled" in result.output
    state = billing.subscription(alpha.id)
    assert (state["status"], state["plan"], state["tenant_status"]) == ("canceled", "starter", "canceled")
