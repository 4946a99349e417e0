"""Every response carries the security headers (saas.core.security_headers): the public site, a shop's
staff and customer pages, the console, JSON errors, the Stripe webhook and static files. The policy
allows no inline code, frames nothing, and allows a shop's analytics only to a visitor who allowed them,
on that shop; pages people log in to are never cached; HSTS is sent where production says so."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string

from tests.consent.helpers import choose, set_analytics
from tests.factories import log_in
from tests.fixtures.storage import ShopBuilder

FIXED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


def policy(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def assert_secured(response, *, private: bool) -> None:
    """The headers every response gets; `private`: never stored by a browser or a proxy."""
    for name, value in FIXED.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    directives = policy(response)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert directives["style-src"] == ["'self'"] and directives["default-src"] == ["'self'"]
    assert directives["script-src"][0] == "'self'" and re.fullmatch(r"'nonce-[\w-]{20,}'", directives["script-src"][1])
    assert response.headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer")
    assert "Strict-Transport-Security" not in response.headers  # tests run as development would, over http
    cache = response.headers.get("Cache-Control", "")
    assert ("no-store" in cache) is private, cache


@pytest.fixture
def admin_console(admin_client, factory):
    """The console, logged in as a platform admin."""
    log_in(admin_client, factory.platform_admin().email)
    return admin_client


@pytest.fixture
def estimate_link(app, shop, customer) -> str:
    """The path of the customer's estimate page (a personal link)."""
    build = ShopBuilder(app)
    work_order_id = build.work_order(shop.id, customer.id)
    return f"/estimate/{build.estimate_token(shop.id, work_order_id)}"


@pytest.mark.parametrize("path", ["/", "/pricing", "/signup"])
def test_public_pages_carry_the_headers_and_may_be_cached(client, path):
    response = client.get(path)

    assert response.status_code == 200
    assert_secured(response, private=False)
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_a_shops_login_page_carries_the_headers_and_is_not_stored(shop_client, shop):
    response = shop_client("acme").get("/login")

    assert response.status_code == 200
    assert_secured(response, private=True)


@pytest.mark.parametrize("path", ["/", "/customers", "/work-orders", "/settings"])
def test_staff_pages_carry_the_headers_and_are_never_stored(owner_client, customer, path):
    response = owner_client.get(path)

    assert response.status_code == 200
    assert_secured(response, private=True)


@pytest.mark.parametrize("path", ["/book", "/privacy", "/cookies"])
def test_a_shops_customer_pages_carry_the_headers_and_are_not_stored(shop_client, shop, path):
    response = shop_client("acme").get(path)

    assert response.status_code in (200, 404)  # the booking page is 404 while booking is off
    assert_secured(response, private=True)


def test_the_customers_estimate_page_keeps_its_personal_link_out_of_referers_and_caches(shop_client, estimate_link):
    response = shop_client("acme").get(estimate_link)

    assert response.status_code == 200
    assert_secured(response, private=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_the_consoles_login_page_carries_the_headers_and_is_not_stored(admin_client):
    response = admin_client.get("/login")

    assert response.status_code == 200
    assert_secured(response, private=True)


@pytest.mark.parametrize("path", ["/", "/metrics", "/health"])
def test_console_pages_carry_the_headers_and_are_never_stored(admin_console, path):
    response = admin_console.get(path)

    assert response.status_code == 200
    assert_secured(response, private=True)


def test_a_json_error_carries_the_headers(owner_client):
    response = owner_client.get("/customers/999999", headers={"Accept": "application/json"})

    assert response.status_code == 404 and response.is_json
    assert_secured(response, private=True)


def test_a_refused_login_by_api_carries_the_headers(shop_client, shop):
    response = shop_client("acme").get("/customers", headers={"Accept": "application/json"})

    assert response.status_code == 401
    assert_secured(response, private=True)


def test_the_stripe_webhook_answers_with_the_headers(client):
    response = client.post("/stripe/webhook", data=b"{}", content_type="application/json")

    assert response.status_code == 400
    assert_secured(response, private=False)


def test_an_unknown_shop_answers_404_with_the_headers(shop_client):
    response = shop_client("nosuchshop").get("/")

    assert response.status_code == 404
    assert_secured(response, private=True)


@pytest.mark.parametrize("host", ["", "acme."])
def test_static_files_carry_the_headers_and_stay_cacheable(app, shop, host):
    with app.test_client().get("/static/css/app.css", base_url=f"http://{host}{app.config['SERVER_NAME']}") as response:
        assert response.status_code == 200
        assert_secured(response, private=False)


def test_the_nonce_is_new_for_every_request(client):
    nonces = {policy(client.get("/"))["script-src"][1] for _ in range(3)}

    assert len(nonces) == 3


def test_templates_get_the_nonce_of_their_own_response(make_app):
    app = make_app()

    @app.route("/nonce-probe")
    def nonce_probe():
        return render_template_string("{{ csp_nonce() }}")

    response = app.test_client().get("/nonce-probe")

    assert policy(response)["script-src"][1] == f"'nonce-{response.get_data(as_text=True)}'"


# --- analytics, allowed by a visitor -----------------------------------------------------------------

PLAUSIBLE = "https://plausible.io"
GOOGLE_TAG = "https://*.googletagmanager.com"
GOOGLE_ANALYTICS = "https://*.google-analytics.com"


def analytics_sources(response) -> set[str]:
    directives = policy(response)
    return {
        source
        for name in ("script-src", "connect-src", "img-src")
        for source in directives.get(name, [])
        if "plausible" in source or "google" in source
    }


def test_a_shops_analytics_hosts_are_allowed_only_after_the_visitor_allows_analytics(app, factory, shop_client):
    shop = factory.tenant("tracked")
    set_analytics(app, shop.id)  # Plausible and Google Analytics 4
    visitor = shop_client("tracked")

    before = visitor.get("/cookies")
    choose(visitor, "reject_all")
    rejected = visitor.get("/cookies")
    choose(visitor, "accept_all")
    accepted = visitor.get("/cookies")

    assert analytics_sources(before) == set() and analytics_sources(rejected) == set()
    directives = policy(accepted)
    assert PLAUSIBLE in directives["script-src"] and GOOGLE_TAG in directives["script-src"]
    assert {PLAUSIBLE, GOOGLE_ANALYTICS, "https://*.analytics.google.com"} <= set(directives["connect-src"])
    assert GOOGLE_ANALYTICS in directives["img-src"]
    assert "unsafe-inline" not in accepted.headers["Content-Security-Policy"]


def test_another_shops_analytics_are_never_allowed_on_a_shop_without_any(app, factory, shop_client):
    set_analytics(app, factory.tenant("tracked").id)
    factory.tenant("plain")
    visitor = shop_client("plain")

    choose(visitor, "accept_all")

    assert analytics_sources(visitor.get("/cookies")) == set()


def test_global_privacy_control_keeps_the_analytics_hosts_out(app, factory, shop_client):
    set_analytics(app, factory.tenant("tracked").id)
    visitor = shop_client("tracked")

    choose(visitor, "accept_all", headers={"Sec-GPC": "1"})

    assert analytics_sources(visitor.get("/cookies", headers={"Sec-GPC": "1"})) == set()


def test_staff_pages_never_allow_analytics_hosts(app, shop, owner_client):
    set_analytics(app, shop.id)
    choose(owner_client, "accept_all")

    assert analytics_sources(owner_client.get("/customers")) == set()


def test_a_self_hosted_plausible_is_allowed_by_its_own_host(make_app, factory):
    app = make_app(ANALYTICS_PLAUSIBLE_SCRIPT_URL="https://stats.example.org/js/script.js")
    shop = factory.tenant("selfhosted")
    set_analytics(app, shop.id, ga4=None)
    visitor = app.test_client()
    base = f"http://selfhosted.{app.config['SERVER_NAME']}"
    visitor.post("/consent", data={"choice": "accept_all", "source": "banner", "next": "/"}, base_url=base)

    directives = policy(visitor.get("/cookies", base_url=base))

    assert "https://stats.example.org" in directives["script-src"]
    assert "https://stats.example.org" in directives["connect-src"]
    assert PLAUSIBLE not in directives["script-src"] and GOOGLE_TAG not in directives["script-src"]


# --- where forms may go, where photos come from -----------------------------------------------------


def test_forms_may_go_to_this_apps_hosts_and_with_billing_on_to_stripe(make_app):
    plain = policy(make_app().test_client().get("/"))["form-action"]
    billing = policy(make_app(STRIPE_SECRET_KEY="sk_test_x").test_client().get("/"))["form-action"]

    stand_in = policy(
        make_app(STRIPE_SECRET_KEY="sk_test_x", STRIPE_API_BASE="http://127.0.0.1:8111/").test_client().get("/")
    )["form-action"]

    assert plain == ["'self'", "http://workbay.test", "http://*.workbay.test"]
    assert billing == [*plain, "https://checkout.stripe.com", "https://billing.stripe.com"]
    assert stand_in == [*billing, "http://127.0.0.1:8111"]


def test_photos_on_s3_may_be_shown_from_the_bucket_and_nowhere_else(make_app):
    local = policy(make_app().test_client().get("/"))["img-src"]
    aws = policy(make_app(STORAGE_BACKEND="s3", S3_BUCKET="shop-files", S3_REGION="eu-west-1").test_client().get("/"))[
        "img-src"
    ]
    endpoint = policy(
        make_app(STORAGE_BACKEND="s3", S3_BUCKET="shop-files", S3_ENDPOINT_URL="https://s3.example.net:9000/")
        .test_client()
        .get("/")
    )["img-src"]

    assert local == ["'self'"]
    assert aws == ["'self'", "https://shop-files.s3.amazonaws.com", "https://shop-files.s3.eu-west-1.amazonaws.com"]
    assert endpoint == ["'self'", "https://s3.example.net:9000", "https://shop-files.s3.example.net:9000"]


# --- HSTS --------------------------------------------------------------------------------------------


def test_hsts_is_sent_only_where_it_is_configured_and_the_site_is_https(make_app):
    development = make_app().test_client()
    configured = make_app(HSTS_SECONDS=31536000, PREFERRED_URL_SCHEME="http").test_client()

    assert "Strict-Transport-Security" not in development.get("/", base_url="https://workbay.test").headers
    assert "Strict-Transport-Security" not in configured.get("/").headers  # plain http
    assert (
        configured.get("/", base_url="https://workbay.test").headers["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains"
    )


def test_production_sends_hsts_for_a_year_on_every_host(database_urls, monkeypatch):
    from saas import create_app

    for name, value in {
        "SECRET_KEY": "a-production-secret-of-at-least-32-characters",
        "DATABASE_URL": database_urls.app,
        "PLATFORM_DATABASE_URL": database_urls.platform,
        "SERVER_NAME": "workbay.example",
        "FIELD_ENCRYPTION_KEYS": "a-key-read-lazily",
        "MAIL_BACKEND": "smtp",
    }.items():
        monkeypatch.setenv(name, value)
    app = create_app("production")
    client = app.test_client()

    for host in ("workbay.example", "admin.workbay.example"):
        with client.get("/static/css/app.css", base_url=f"https://{host}") as response:
            assert response.status_code == 200
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert policy(response)["form-action"] == ["'self'", "https://workbay.example", "https://*.workbay.example"]
