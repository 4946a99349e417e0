"""The public site has its own banner, records and analytics setting; the console has none; the cookie
policy is generated from the definitions the code checks."""

from __future__ import annotations

import html as html_lib

import pytest

from saas.consent.categories import CONSENT_COOKIE, OPTIONAL_CATEGORIES, POLICY_VERSION, all_categories
from tests.consent.helpers import (
    GA4_ID,
    analytics_scripts,
    banner_open,
    choose,
    consent_rows,
    set_analytics,
    set_cookie_headers,
)


def test_the_public_site_asks_records_in_the_platform_table_and_gates_its_own_analytics(
    client, app, monkeypatch, superuser_engine
):
    monkeypatch.setitem(app.config, "PLATFORM_ANALYTICS_PLAUSIBLE_DOMAIN", "workbay.example")
    first = client.get("/").get_data(as_text=True)

    response = choose(client, "accept_all", next_url="/")
    after = client.get("/").get_data(as_text=True)

    assert banner_open(first) and analytics_scripts(first) == []
    assert response.status_code == 303 and "Domain=" not in set_cookie_headers(response, CONSENT_COOKIE)[0]
    [record] = consent_rows(superuser_engine, "platform_cookie_consents")
    assert record["categories"] == ["analytics", "marketing", "preferences"]
    assert record["policy_version"] == f"{POLICY_VERSION}+plausible"
    assert consent_rows(superuser_engine) == []
    assert not banner_open(after) and 'data-domain="workbay.example"' in analytics_scripts(after)[0]


def test_the_public_site_has_no_analytics_unless_configured(client):
    choose(client, "accept_all", next_url="/")

    assert analytics_scripts(client.get("/").get_data(as_text=True)) == []


def test_the_console_has_no_banner_and_no_consent_endpoint(admin_client):
    page = admin_client.get("/login").get_data(as_text=True)

    assert "consent-banner" not in page and "Cookie settings" not in page
    assert admin_client.post("/consent", data={"choice": "accept_all", "source": "banner"}).status_code == 404


def test_an_unknown_shop_shows_no_banner(shop_client):
    response = shop_client("nosuchshop").get("/cookies")

    assert response.status_code == 404 and "consent-banner" not in response.get_data(as_text=True)


@pytest.mark.parametrize("where", ["public", "shop"])
def test_the_cookie_policy_lists_every_category_and_cookie_of_the_definitions(app, client, shop_client, shop, where):
    set_analytics(app, shop.id, plausible=None, ga4=GA4_ID)
    visitor = client if where == "public" else shop_client("acme")

    page = html_lib.unescape(visitor.get("/cookies").get_data(as_text=True))

    with app.test_request_context():
        categories = all_categories()
    for category in categories:
        assert category.title in page and category.description in page
        for cookie in category.cookies:
            assert f"<code>{cookie.name}</code>" in page and cookie.purpose in page
    assert "workbay_session" in page and CONSENT_COOKIE in page and "182 days" in page
    if where == "shop":
        assert f"version {POLICY_VERSION}+ga4" in page and "Google Analytics 4" in page
    else:
        assert f"version {POLICY_VERSION}" in page and "uses no analytics service" in page


def test_the_cookie_policy_says_what_the_visitor_chose(shop, shop_client):
    visitor = shop_client("acme")
    choose(visitor, "save", categories=["preferences"], source="settings")

    page = visitor.get("/cookies").get_data(as_text=True)

    assert "You allowed: <strong>necessary, preferences</strong>" in page


def test_the_settings_page_works_without_javascript(shop, shop_client):
    visitor = shop_client("acme")

    page = visitor.get("/cookies/settings?next=/book").get_data(as_text=True)

    assert '<form method="post" action="/consent"' in page
    assert '<details class="consent-details" data-consent-details open>' in page
    assert 'name="source" value="settings"' in page
    assert "consent-banner" not in page  # the page is the settings; no second form
    assert all(f'value="{category.key}"' in page for category in OPTIONAL_CATEGORIES)


def test_every_page_links_to_the_cookie_settings_and_policy(shop, shop_client, client):
    for visitor, path in ((shop_client("acme"), "/book?service=3"), (client, "/pricing")):
        page = visitor.get(path).get_data(as_text=True)
        assert 'href="/cookies"' in page
        assert "data-consent-open>Cookie settings</a>" in page and "/cookies/settings?next=" in page


def test_a_malformed_platform_analytics_setting_stops_the_app_at_start(make_app):
    with pytest.raises(RuntimeError, match="PLATFORM_ANALYTICS_GA4_ID: A Google Analytics 4 measurement ID"):
        make_app(PLATFORM_ANALYTICS_GA4_ID="UA-1234-5")
    app = make_app(PLATFORM_ANALYTICS_PLAUSIBLE_DOMAIN="https://WorkBay.example/")
    assert app.config["PLATFORM_ANALYTICS_PLAUSIBLE_DOMAIN"] == "workbay.example"
