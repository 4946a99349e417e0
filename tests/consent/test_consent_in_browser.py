"""In Chromium, under the strict CSP: a first visit sets no optional cookie and loads no analytics; Reject
all keeps it so; Accept all loads it; Global Privacy Control keeps it off; withdrawing through the footer's
"Cookie settings" removes the analytics cookies; the banner works without JavaScript too.

The shop's analytics point at same-origin URLs that the browser answers itself (`page.route`), with a
stand-in script that sets a `_ga` cookie as Google's would: the machine has no internet.
"""

from __future__ import annotations

import re

import pytest

from tests.consent.helpers import GA4_ID, consent_rows, set_analytics

pytestmark = pytest.mark.browser

FAKE_ANALYTICS = re.compile(r".*/test-analytics/.*")
# What the stand-in analytics script does: mark the page and set a cookie, as gtag.js would.
FAKE_SCRIPT = "document.documentElement.dataset.analyticsRan = 'yes'; document.cookie = '_ga=GA1.1.42.42; path=/';"
ANALYTICS_RAN = "html[data-analytics-ran]"
NECESSARY = {"workbay_session", "workbay_consent"}


@pytest.fixture
def shop_site(app, factory, live_app, live_server, monkeypatch):
    """Shop "cookieshop" running Google Analytics 4 (and Plausible), both served by the browser itself."""
    shop = factory.tenant("cookieshop")
    set_analytics(app, shop.id, plausible="cookieshop.example", ga4=GA4_ID)
    monkeypatch.setitem(live_app.config, "ANALYTICS_GA4_SCRIPT_URL", "/test-analytics/gtag.js")
    monkeypatch.setitem(live_app.config, "ANALYTICS_PLAUSIBLE_SCRIPT_URL", "/test-analytics/plausible.js")
    return {"shop": shop, "base": f"http://cookieshop.{live_server}"}


class Visit:
    """A browser tab on the shop, counting the analytics requests it makes and any CSP problem."""

    def __init__(self, context):
        self.context = context
        self.tab = context.new_page()
        self.tab.set_default_timeout(15000)
        self.analytics_requests: list[str] = []
        self.problems: list[str] = []
        self.tab.route(FAKE_ANALYTICS, self._answer)
        self.tab.on("pageerror", lambda error: self.problems.append(f"script error {error}"))
        self.tab.on(
            "console",
            lambda message: (
                self.problems.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )

    def _answer(self, route):
        self.analytics_requests.append(route.request.url)
        route.fulfill(status=200, content_type="text/javascript", body=FAKE_SCRIPT)

    def cookie_names(self) -> set[str]:
        return {cookie["name"] for cookie in self.context.cookies()}

    def analytics_tags(self) -> int:
        return self.tab.locator("script[data-consent-category=analytics]").count()

    def banner_visible(self) -> bool:
        return self.tab.locator("[data-consent-banner]").is_visible()


def visit(browser, **options) -> Visit:
    return Visit(browser.new_context(**options))


def test_first_visit_then_reject_all_sets_no_optional_cookie_and_loads_no_analytics(browser, shop_site):
    visitor = visit(browser)
    visitor.tab.goto(f"{shop_site['base']}/book")

    assert visitor.banner_visible()
    assert visitor.cookie_names() <= NECESSARY and "workbay_consent" not in visitor.cookie_names()
    assert visitor.analytics_tags() == 0 and visitor.analytics_requests == []

    visitor.tab.click("[data-consent-banner] button[value=reject_all]")
    visitor.tab.wait_for_selector("[data-consent-banner]", state="hidden")
    visitor.tab.wait_for_selector("[data-consent-status]:has-text('recorded')")
    visitor.tab.reload()

    assert not visitor.banner_visible()
    assert visitor.cookie_names() == NECESSARY
    assert visitor.analytics_tags() == 0 and visitor.analytics_requests == []
    assert visitor.problems == []


def test_accept_all_loads_the_analytics_at_once_and_on_every_page_after(browser, shop_site, superuser_engine):
    visitor = visit(browser)
    visitor.tab.goto(f"{shop_site['base']}/book")

    visitor.tab.click("[data-consent-banner] button[value=accept_all]")
    visitor.tab.wait_for_selector(ANALYTICS_RAN, state="attached")  # added by consent.js, no reload

    assert not visitor.banner_visible() and visitor.analytics_tags() == 3
    assert "_ga" in visitor.cookie_names() and "workbay_consent" in visitor.cookie_names()
    [record] = consent_rows(superuser_engine, tenant_id=shop_site["shop"].id)
    assert record["categories"] == ["analytics", "marketing", "preferences"] and record["source"] == "banner"

    visitor.tab.goto(f"{shop_site['base']}/cookies")
    visitor.tab.wait_for_selector(ANALYTICS_RAN, state="attached")  # rendered by the server this time
    assert visitor.tab.locator(f"head script[data-measurement-id='{GA4_ID}']").count() == 1
    assert "You allowed: necessary, analytics, marketing, preferences" in visitor.tab.inner_text("main")
    assert visitor.problems == []


def test_global_privacy_control_keeps_analytics_off_whatever_is_clicked(browser, shop_site, superuser_engine):
    visitor = visit(browser, extra_http_headers={"Sec-GPC": "1"})
    visitor.tab.goto(f"{shop_site['base']}/book")

    assert "Global Privacy Control" in visitor.tab.inner_text("[data-consent-banner]")
    assert visitor.tab.locator("[data-consent-banner] input[value=analytics]").is_disabled()
    visitor.tab.click("[data-consent-banner] button[value=accept_all]")
    visitor.tab.wait_for_selector("[data-consent-banner]", state="hidden")
    visitor.tab.reload()

    assert visitor.analytics_tags() == 0 and visitor.analytics_requests == []
    assert "_ga" not in visitor.cookie_names()
    [record] = consent_rows(superuser_engine, tenant_id=shop_site["shop"].id)
    assert (record["categories"], record["source"]) == (["preferences"], "gpc")


def test_withdrawing_through_the_footer_link_removes_the_analytics_cookies(browser, shop_site):
    visitor = visit(browser)
    base = shop_site["base"]
    visitor.tab.goto(f"{base}/book")
    visitor.tab.click("[data-consent-banner] button[value=accept_all]")
    visitor.tab.wait_for_selector(ANALYTICS_RAN, state="attached")
    visitor.context.add_cookies(
        [{"name": "_ga_TEST1234", "value": "GS1.1.planted", "url": f"{base}/"}]  # a second analytics cookie
    )
    assert {"_ga", "_ga_TEST1234"} <= visitor.cookie_names()

    visitor.tab.click("footer [data-consent-open]")
    visitor.tab.wait_for_selector("[data-consent-banner] input[value=analytics]", state="visible")
    visitor.tab.uncheck("[data-consent-banner] input[value=analytics]")
    visitor.tab.uncheck("[data-consent-banner] input[value=marketing]")
    with visitor.tab.expect_navigation():  # the loaded analytics must go: consent.js reloads the page
        visitor.tab.click("[data-consent-banner] button[value=save]")

    assert not ({"_ga", "_ga_TEST1234"} & visitor.cookie_names())
    assert visitor.analytics_tags() == 0 and not visitor.banner_visible()
    assert visitor.problems == []


def test_the_banner_works_without_javascript(browser, shop_site):
    visitor = visit(browser, java_script_enabled=False)
    base = shop_site["base"]
    visitor.tab.goto(f"{base}/book")

    visitor.tab.click("[data-consent-banner] summary")  # the settings fold open natively
    visitor.tab.check("[data-consent-banner] input[value=analytics]")
    visitor.tab.click("[data-consent-banner] button[value=save]")
    visitor.tab.wait_for_url(f"{base}/book")

    assert visitor.analytics_tags() == 3 and not visitor.banner_visible()
    assert "Your cookie choices are recorded." in visitor.tab.inner_text(".flashes")

    visitor.tab.click("footer [data-consent-open]")  # a page of its own without JavaScript
    visitor.tab.wait_for_url(re.compile(r".*/cookies/settings\?next=.*"))
    visitor.tab.click("button[value=reject_all]")
    visitor.tab.wait_for_url(f"{base}/book")
    assert visitor.analytics_tags() == 0


def test_a_choice_on_one_shop_is_not_one_on_another(browser, shop_site, factory, live_server):
    factory.tenant("othershop")
    visitor = visit(browser)
    visitor.tab.goto(f"{shop_site['base']}/book")
    visitor.tab.click("[data-consent-banner] button[value=accept_all]")
    visitor.tab.wait_for_selector(ANALYTICS_RAN, state="attached")

    visitor.tab.goto(f"http://othershop.{live_server}/book")

    assert visitor.banner_visible() and visitor.analytics_tags() == 0
    consent_hosts = {cookie["domain"] for cookie in visitor.context.cookies() if cookie["name"] == "workbay_consent"}
    assert consent_hosts == {f"cookieshop.{live_server.split(':')[0]}"}


def test_the_public_site_gates_its_own_analytics_the_same_way(browser, live_app, live_server, monkeypatch):
    monkeypatch.setitem(live_app.config, "PLATFORM_ANALYTICS_GA4_ID", "G-PLATFORM1")
    monkeypatch.setitem(live_app.config, "ANALYTICS_GA4_SCRIPT_URL", "/test-analytics/gtag.js")
    visitor = visit(browser)
    visitor.tab.goto(f"http://{live_server}/")

    assert visitor.banner_visible() and visitor.analytics_tags() == 0 and visitor.analytics_requests == []
    assert visitor.cookie_names() <= NECESSARY

    visitor.tab.click("[data-consent-banner] button[value=accept_all]")
    visitor.tab.wait_for_selector(ANALYTICS_RAN, state="attached")

    assert "_ga" in visitor.cookie_names() and visitor.analytics_tags() == 2
    assert visitor.problems == []
