"""The consent endpoint on a shop's subdomain: the banner, accept, reject, settings, withdrawal, GPC, expiry,
a new policy version, redirects that stay on the host, and bad input."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from saas.consent.categories import ANALYTICS, CONSENT_COOKIE, GPC_NOTICE, OPTIONAL_CATEGORIES, necessary
from tests.consent.helpers import (
    BROWSER,
    GA4_ID,
    PLAUSIBLE_DOMAIN,
    analytics_scripts,
    banner_open,
    choose,
    consent_cookie,
    consent_rows,
    cookie_names_deleted,
    cookie_names_set,
    set_analytics,
    set_cookie_headers,
)
from tests.fixtures.database import shop_session
from tests.fixtures.pages import flashes, redirect_path
from tests.fixtures.shops import update_shop

HOST = "acme.workbay.test"
HALF_A_YEAR = 182 * 86400
GPC = {"Sec-GPC": "1"}


@pytest.fixture
def visitor(app, shop, shop_client):
    """A visitor of acme's public pages; acme runs Plausible and Google Analytics."""
    set_analytics(app, shop.id)
    return shop_client("acme")


def page(client, path: str = "/book", headers=None) -> str:
    response = client.get(path, headers=headers or {})
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_a_first_visit_shows_the_banner_sets_no_optional_cookie_and_sends_no_analytics(app, visitor):
    response = visitor.get("/book")
    html = response.get_data(as_text=True)

    with app.test_request_context():
        necessary_names = {spec.name for spec in necessary().cookies}
    assert banner_open(html)
    assert cookie_names_set(response) <= necessary_names and CONSENT_COOKIE not in cookie_names_set(response)
    assert analytics_scripts(html) == [] and "plausible" not in html and "gtag" not in html
    # Accept all and Reject all: the same element with the same classes; Settings beside them.
    assert '<button class="button consent-choice" type="submit" name="choice" value="accept_all">Accept all' in html
    assert '<button class="button consent-choice" type="submit" name="choice" value="reject_all">Reject all' in html
    assert '<summary class="button secondary">Settings</summary>' in html
    # Necessary is on and cannot be switched off; nothing else is ticked in advance.
    assert 'value="necessary" checked disabled' in html
    assert all(f'value="{category.key}">' in html for category in OPTIONAL_CATEGORIES)


def test_accept_all_records_proof_sets_a_host_only_signed_cookie_and_then_sends_the_analytics(
    app, visitor, shop, superuser_engine
):
    response = choose(visitor, "accept_all", next_url="/book?service=1")

    assert response.status_code == 303 and redirect_path(response) == "/book?service=1"
    [header] = set_cookie_headers(response, CONSENT_COOKIE)
    assert "Domain=" not in header and "HttpOnly" in header and "SameSite=Lax" in header
    assert f"Max-Age={HALF_A_YEAR}" in header
    [record] = consent_rows(superuser_engine, tenant_id=shop.id)
    assert record["categories"] == ["analytics", "marketing", "preferences"]
    assert record["source"] == "banner" and record["policy_version"].endswith("+plausible+ga4")
    assert record["user_agent"] == BROWSER and len(record["consent_id"]) == 32
    expected_hash = hmac.new(b"testing-secret-key", b"127.0.0.1", hashlib.sha256).hexdigest()
    assert record["ip_hash"] == expected_hash and "127.0.0.1" not in str(record)

    html = page(visitor)
    scripts = analytics_scripts(html)
    assert not banner_open(html) and len(scripts) == 3
    assert any(
        'src="https://plausible.io/js/script.js"' in tag and f'data-domain="{PLAUSIBLE_DOMAIN}"' in tag
        for tag in scripts
    )
    assert any(f"gtag/js?id={GA4_ID}" in tag for tag in scripts)
    assert any("js/consent-ga4.js" in tag and f'data-measurement-id="{GA4_ID}"' in tag for tag in scripts)
    assert all(" defer" in tag for tag in scripts)
    assert flashes(visitor.get("/book")) == [] and "Cookie settings" in html


def test_reject_all_records_necessary_only_and_nothing_is_ever_sent(visitor, shop, superuser_engine):
    response = choose(visitor, "reject_all")

    assert response.status_code == 303 and consent_cookie(visitor, HOST) is not None
    assert [row["categories"] for row in consent_rows(superuser_engine, tenant_id=shop.id)] == [[]]
    html = page(visitor)
    assert not banner_open(html) and analytics_scripts(html) == []


def test_settings_allow_exactly_the_categories_ticked(visitor, shop, superuser_engine):
    response = choose(visitor, "save", categories=["analytics"], source="settings")

    assert response.status_code == 303
    [record] = consent_rows(superuser_engine, tenant_id=shop.id)
    assert (record["categories"], record["source"]) == (["analytics"], "settings")
    assert len(analytics_scripts(page(visitor))) == 3
    choose(visitor, "save", categories=["preferences"], source="settings")
    assert analytics_scripts(page(visitor)) == []


def test_staff_pages_never_carry_analytics_even_when_allowed(app, factory, shop, owner, login_as):
    set_analytics(app, shop.id)
    staff = login_as(owner)
    choose(staff, "accept_all")

    assert analytics_scripts(page(staff, "/customers")) == []
    assert analytics_scripts(page(staff, "/book")) == []


def test_withdrawing_removes_the_withdrawn_categories_cookies_and_keeps_the_others(visitor, shop, superuser_engine):
    choose(visitor, "accept_all")
    for name in ("_ga", "_ga_TEST1234", "_pk_id.1.abcd", "_fbp", "favourite_colour"):
        visitor.set_cookie(name, "1", domain=HOST)
    before = consent_cookie(visitor, HOST).value

    response = choose(visitor, "save", categories=["preferences"], source="settings")

    assert cookie_names_deleted(response) == {"_ga", "_ga_TEST1234", "_pk_id.1.abcd", "_fbp"}
    assert all(f"Domain={HOST}" in " ".join(set_cookie_headers(response, name)) for name in ("_ga", "_fbp"))
    assert [visitor.get_cookie(name, domain=HOST) for name in ("_ga", "_ga_TEST1234", "_pk_id.1.abcd", "_fbp")] == [
        None
    ] * 4
    assert visitor.get_cookie("favourite_colour", domain=HOST) is not None  # not ours to judge
    assert flashes(visitor.get("/book"))[-1] == (
        "Your cookie choices are recorded. Analytics and Marketing are now off; "
        "their cookies were removed from this browser."
    )
    records = consent_rows(superuser_engine, tenant_id=shop.id)
    assert [row["categories"] for row in records] == [["analytics", "marketing", "preferences"], ["preferences"]]
    assert records[0]["consent_id"] == records[1]["consent_id"]  # the same browser, one chain of choices
    assert consent_cookie(visitor, HOST).value != before


def test_cookies_of_a_category_never_allowed_are_removed_on_any_page(visitor):
    visitor.set_cookie("_ga", "GA1.1.planted", domain=HOST)

    response = visitor.get("/book")

    assert "_ga" in cookie_names_deleted(response) and visitor.get_cookie("_ga", domain=HOST) is None


def test_allowed_cookies_are_left_alone(visitor):
    choose(visitor, "accept_all")
    visitor.set_cookie("_ga", "GA1.1.kept", domain=HOST)

    response = visitor.get("/book")

    assert cookie_names_deleted(response) == set() and visitor.get_cookie("_ga", domain=HOST) is not None


# --- Global Privacy Control -----------------------------------------------------------------


def test_gpc_is_explained_on_the_banner_and_keeps_analytics_and_marketing_switched_off(visitor):
    html = page(visitor, headers=GPC)

    assert banner_open(html) and GPC_NOTICE.replace("'", "&#39;") in html
    assert 'value="analytics" disabled' in html and 'value="marketing" disabled' in html
    assert 'value="preferences">' in html


def test_accept_all_under_gpc_records_gpc_and_allows_only_preferences(visitor, shop, superuser_engine):
    response = choose(visitor, "accept_all", headers=GPC)

    [record] = consent_rows(superuser_engine, tenant_id=shop.id)
    assert (record["categories"], record["source"]) == (["preferences"], "gpc")
    assert "Global Privacy Control keeps analytics and marketing off" in flashes(visitor.get("/book", headers=GPC))[0]
    assert response.status_code == 303 and analytics_scripts(page(visitor)) == []


def test_gpc_overrides_an_earlier_yes_and_removes_its_cookies(visitor):
    choose(visitor, "accept_all")
    visitor.set_cookie("_ga", "GA1.1.x", domain=HOST)

    response = visitor.get("/book", headers=GPC)
    html = response.get_data(as_text=True)

    assert analytics_scripts(html) == [] and GPC_NOTICE.replace("'", "&#39;") in html
    assert "_ga" in cookie_names_deleted(response)
    assert len(analytics_scripts(page(visitor))) == 3  # without the signal, the earlier yes holds again


# --- expiry and new versions ----------------------------------------------------------------


def test_a_consent_older_than_the_configured_period_is_asked_again(visitor, clock_ahead):
    choose(visitor, "accept_all")
    visitor.set_cookie("_ga", "GA1.1.x", domain=HOST)

    with clock_ahead(HALF_A_YEAR - 86400):
        still = page(visitor)
    with clock_ahead(HALF_A_YEAR + 60):
        response = visitor.get("/book")
    html = response.get_data(as_text=True)

    assert len(analytics_scripts(still)) == 3
    assert banner_open(html) and "some months old" in html and analytics_scripts(html) == []
    assert "_ga" in cookie_names_deleted(response)


def test_the_period_is_a_setting(visitor, app, monkeypatch, clock_ahead):
    monkeypatch.setitem(app.config, "CONSENT_MAX_AGE_DAYS", 30)
    response = choose(visitor, "accept_all")

    assert f"Max-Age={30 * 86400}" in set_cookie_headers(response, CONSENT_COOKIE)[0]
    with clock_ahead(31 * 86400):
        assert banner_open(page(visitor))


def test_a_new_cookie_policy_version_asks_again_and_keeps_the_consent_id(
    visitor, app, shop, monkeypatch, superuser_engine
):
    choose(visitor, "accept_all")
    monkeypatch.setitem(app.config, "COOKIE_POLICY_VERSION", "2099-01-01")

    html = page(visitor)
    assert banner_open(html) and "Our cookie policy has changed" in html and analytics_scripts(html) == []

    choose(visitor, "reject_all")
    first, second = consent_rows(superuser_engine, tenant_id=shop.id)
    assert second["policy_version"].startswith("2099-01-01") and not first["policy_version"].startswith("2099")
    assert first["consent_id"] == second["consent_id"]
    assert not banner_open(page(visitor))


def test_switching_the_shops_analytics_service_asks_again(visitor, app, shop):
    choose(visitor, "accept_all")
    set_analytics(app, shop.id, plausible=PLAUSIBLE_DOMAIN, ga4=None)

    html = page(visitor)

    assert banner_open(html) and "Our cookie policy has changed" in html and analytics_scripts(html) == []


# --- redirects and bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "http:/evil.example",
        "",
    ],
)
def test_next_never_leaves_the_host(visitor, next_url):
    response = choose(visitor, "reject_all", next_url=next_url)

    assert response.status_code == 303
    location = response.headers["Location"]
    assert urlsplit(location).netloc in ("", HOST) and redirect_path(response) == "/"


def test_the_settings_page_keeps_only_a_local_next(visitor):
    html = page(visitor, "/cookies/settings?next=//evil.example/")

    assert 'name="next" value="/"' in html and "evil.example" not in html
    assert 'name="next" value="/book?service=2"' in page(visitor, "/cookies/settings?next=/book?service=2")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"source": "banner"}, "Choose Accept all, Reject all or Save choices."),
        ({"choice": "yes please", "source": "banner"}, "Choose Accept all, Reject all or Save choices."),
        ({"choice": "save", "category": ["tracking"], "source": "banner"}, "Unknown cookie category: tracking."),
        ({"choice": "accept_all", "source": "api"}, "not sent from the banner or the cookie settings"),
        ({"choice": "accept_all"}, "not sent from the banner or the cookie settings"),
    ],
)
def test_bad_input_is_refused_with_a_400_and_records_nothing(visitor, shop, superuser_engine, data, message):
    response = visitor.post("/consent", data=data)

    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert consent_rows(superuser_engine, tenant_id=shop.id) == []
    assert set_cookie_headers(response, CONSENT_COOKIE) == []


def test_an_api_client_gets_a_problem_document(visitor):
    response = visitor.post(
        "/consent", data={"choice": "maybe", "source": "banner"}, headers={"Accept": "application/json"}
    )

    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "Choose Accept all, Reject all or Save choices."


def test_consent_js_gets_json_with_the_scripts_to_add(visitor):
    response = visitor.post(
        "/consent",
        data={"choice": "accept_all", "source": "banner", "next": "/book"},
        headers={"Accept": "application/json"},
    )

    body = response.get_json()
    assert response.status_code == 200 and set_cookie_headers(response, CONSENT_COOKIE)
    assert body["allowed"] == ["analytics", "marketing", "preferences"]
    assert [script["category"] for script in body["scripts"]] == [ANALYTICS.key] * 3
    assert body["scripts"][0]["data"] == {"domain": PLAUSIBLE_DOMAIN}


@pytest.mark.parametrize(
    "raw",
    ["garbage", "eyJpIjoiMDAwIn0.AAAAAA.BBBBBB", ""],
)
def test_a_forged_or_broken_consent_cookie_counts_as_no_choice(visitor, raw):
    visitor.set_cookie(CONSENT_COOKIE, raw, domain=HOST)

    html = page(visitor)

    assert banner_open(html) and analytics_scripts(html) == []


def test_only_get_and_post_make_sense(visitor):
    assert visitor.get("/consent").status_code == 405


def test_without_a_csrf_token_a_choice_is_refused(make_app, shop, superuser_engine):
    protected = make_app(WTF_CSRF_ENABLED=True)
    client = protected.test_client()

    response = client.post("/consent", data={"choice": "accept_all", "source": "banner"}, base_url=f"http://{HOST}")

    assert response.status_code == 400 and consent_rows(superuser_engine, tenant_id=shop.id) == []


def test_consent_rows_are_append_only(visitor, shop, app):
    choose(visitor, "reject_all")

    with shop_session(app, shop.id) as session, pytest.raises(Exception, match="append-only"):
        session.execute(text("UPDATE cookie_consents SET categories = '{analytics}'"))


def test_visitors_of_a_read_only_shop_can_still_choose_and_withdraw(visitor, app, shop, superuser_engine):
    update_shop(app, shop.id, trial_ends_at=datetime.now(UTC) - timedelta(days=1))

    accepted = choose(visitor, "accept_all")
    withdrawn = choose(visitor, "reject_all", source="settings")

    assert (accepted.status_code, withdrawn.status_code) == (303, 303)
    assert [row["categories"] for row in consent_rows(superuser_engine, tenant_id=shop.id)] == [
        ["analytics", "marketing", "preferences"],
        [],
    ]
