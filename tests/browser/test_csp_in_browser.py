"""In a real browser, under the app's own Content-Security-Policy (saas.core.security_headers: no inline
script or style): the busiest pages carry it, report no violation, and their scripts still work (a card
dragged on the job board, assets filtered on the work order form, the calendar's timeline, the confirms
before a delete or a cancel).
"""

import re
from datetime import UTC, datetime

import pytest

from saas.workorders.models import Status
from tests.appointments.helpers import add_appointment, local, set_hours
from tests.consent.helpers import set_analytics
from tests.fixtures.browser import log_in_page
from tests.shop.helpers import Books
from tests.workorders.helpers import WorkOrderFactory

pytestmark = pytest.mark.browser

# A page that breaks the policy on purpose, to prove violations are noticed at all.
CANARY = """<!doctype html><html><head><title>canary</title></head><body>
<p style="color: red">inline style</p>
<script>document.title = "inline script ran";</script>
</body></html>"""
TRICKY_NAME = 'Zoë O\'Brien & "Sons" <Ltd>'
# A stand-in for an analytics script: it marks the page when it runs.
ANALYTICS_SCRIPT = "document.documentElement.dataset.analyticsRan = 'yes';"


def watch_for_violations(page) -> list[str]:
    """What the page reports against the policy (and any script error), and any page served without the
    app's policy, as it happens."""
    problems: list[str] = []

    def on_response(response):
        if response.request.resource_type == "document" and "/csp-canary" not in response.url:
            policy = response.headers.get("content-security-policy", "")
            if "frame-ancestors 'none'" not in policy or "unsafe-inline" in policy:
                problems.append(f"{response.url}: served without the app's policy ({policy!r})")

    page.on("response", on_response)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) => console.error("
        "`securitypolicyviolation: ${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));"
    )

    def on_console(message):
        if message.type == "error" and ("Content Security Policy" in message.text or "securitypolicy" in message.text):
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: script error {error}"))
    return problems


@pytest.fixture
def busy_shop(app, factory):
    """Shop "cspshop": invoices for the dashboard's chart, opening hours and today's appointment,
    work orders on the board, and a customer whose name needs escaping."""
    shop = factory.tenant("cspshop")
    books = Books(app, shop)  # the shop's time zone is UTC
    today = datetime.now(UTC).date()
    books.invoice("240.00", datetime.now(UTC))
    set_hours(app, shop, dict.fromkeys(range(7), ("08:00", "18:00")))
    wo = WorkOrderFactory(app, factory)
    ada = factory.customer(shop, name="Ada Lovelace")
    bob = factory.customer(shop, name="Bob Builder")
    add_appointment(app, shop, ada, local("UTC", today, "10:00"), minutes=60)
    assets = {"ada": wo.asset(shop, ada, plate="ADA-001"), "bob": wo.asset(shop, bob, plate="BOB-002")}
    orders = {
        "estimate": wo.work_order(shop, customer=ada, asset=assets["ada"]),
        "in_progress": wo.work_order(shop, customer=bob, status=Status.IN_PROGRESS),
    }
    customers = {"ada": ada, "bob": bob, "tricky": factory.customer(shop, name=TRICKY_NAME)}
    return {"owner": factory.owner(shop), "customers": customers, "assets": assets, "orders": orders}


def test_the_busiest_pages_work_under_a_strict_csp(page, live_server, busy_shop):
    problems = watch_for_violations(page)

    # The check itself: inline code on a page served with the app's own policy is reported, and does not run.
    app_policy = page.request.get(f"http://{live_server}/").headers["content-security-policy"]
    canary = f"http://{live_server}/csp-canary"
    page.route(
        canary,
        lambda route: route.fulfill(
            body=CANARY, content_type="text/html", headers={"Content-Security-Policy": app_policy}
        ),
    )
    page.goto(canary)
    page.wait_for_load_state("load")
    assert page.title() == "canary"
    assert any("style-src" in problem for problem in problems), problems
    assert any("script-src" in problem for problem in problems), problems
    assert any("securitypolicyviolation" in problem for problem in problems), problems
    problems.clear()

    base = f"http://cspshop.{live_server}"
    log_in_page(page, base, busy_shop["owner"].email)
    assert page.locator("figure.chart svg rect").count() > 0  # the dashboard, with its chart and figures
    for path in ("/reports", "/work-orders", "/work-orders/canned-jobs", "/appointments?view=day"):
        page.goto(base + path)

    # Job board: a drop where the card cannot go is refused with a message; a legal drop moves it.
    estimate = busy_shop["orders"]["estimate"].id
    page.goto(f"{base}/work-orders/board")
    alerts = []
    page.once("dialog", lambda dialog: (alerts.append(dialog.message), dialog.accept()))
    page.drag_and_drop(f"#card-{estimate}", "section[data-status=ready]")  # returns once the alert is closed
    assert alerts == ["A work order cannot move there from its current status."]
    assert page.locator(f"section[data-status=estimate] #card-{estimate}").count() == 1
    with page.expect_navigation():
        page.drag_and_drop(f"#card-{estimate}", "section[data-status=approved]")
    page.wait_for_selector(f"section[data-status=approved] #card-{estimate}")

    # Work order form: picking a customer leaves only their vehicles and devices to choose.
    page.goto(f"{base}/work-orders/new")
    ada_asset, bob_asset = busy_shop["assets"]["ada"].id, busy_shop["assets"]["bob"].id
    page.select_option("#customer_id", str(busy_shop["customers"]["ada"].id))
    assert page.eval_on_selector(f"#asset_id option[value='{bob_asset}']", "option => option.hidden") is True
    assert page.eval_on_selector(f"#asset_id option[value='{ada_asset}']", "option => option.hidden") is False

    # Work order page: cancelling asks first (on the button); saying no keeps the work order.
    in_progress = busy_shop["orders"]["in_progress"].id
    page.goto(f"{base}/work-orders/{in_progress}")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("button[name=status][value=cancelled]")
    assert re.fullmatch(r"Cancel work order #\d+\? This cannot be undone\.", asked[0])
    page.goto(f"{base}/work-orders/{in_progress}")
    assert page.locator("button[name=status][value=cancelled]").count() == 1

    # Calendar, week view: the timeline is on and today's 10:00-11:00 sits at 20 % of 08:00-18:00, 10 % high.
    page.goto(f"{base}/appointments?view=week")
    assert "has-timeline" in page.get_attribute("body", "class")
    body = page.locator(".cal-day.is-today .cal-body").bounding_box()
    block = page.locator(".cal-day.is-today .cal-appt").bounding_box()
    assert (block["y"] - body["y"]) / body["height"] == pytest.approx(0.2, abs=0.01)
    assert block["height"] / body["height"] == pytest.approx(0.1, abs=0.01)

    # A customer's delete asks with their name as it is; no keeps them, yes deletes them.
    tricky = busy_shop["customers"]["tricky"].id
    page.goto(f"{base}/customers/{tricky}/edit")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("button:has-text('Delete customer')")
    assert asked == [f"Delete {TRICKY_NAME} with their vehicles, devices and documents? This cannot be undone."]
    assert page.url == f"{base}/customers/{tricky}/edit"
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("button:has-text('Delete customer')")
    assert page.url == f"{base}/customers"
    assert f"{TRICKY_NAME} was deleted" in page.inner_text(".flashes")

    assert problems == []


def test_without_javascript_the_calendar_is_a_list_of_days(browser, live_server, busy_shop):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    base = f"http://cspshop.{live_server}"
    log_in_page(page, base, busy_shop["owner"].email)

    page.goto(f"{base}/appointments?view=week")
    assert "has-timeline" not in (page.get_attribute("body", "class") or "")
    assert page.eval_on_selector(".cal-appt", "block => getComputedStyle(block).position") == "static"
    assert "10:00–11:00 Ada Lovelace" in page.inner_text(".cal-day.is-today")
    context.close()


def test_analytics_from_another_host_load_only_once_the_visitor_allows_them(
    page, app, factory, live_app, live_server, monkeypatch
):
    shop = factory.tenant("cdnshop")
    set_analytics(app, shop.id, ga4=None)  # Plausible, loaded from a host other than the shop's
    script_url = f"http://127.0.0.1:{live_server.split(':')[1]}/test-analytics/plausible.js"
    monkeypatch.setitem(live_app.config, "ANALYTICS_PLAUSIBLE_SCRIPT_URL", script_url)
    loaded: list[str] = []

    def answer(route):
        loaded.append(route.request.url)
        route.fulfill(status=200, content_type="text/javascript", body=ANALYTICS_SCRIPT)

    page.route(re.compile(r".*/test-analytics/.*"), answer)
    other = factory.tenant("cdnplain")  # no analytics of its own
    before = page.goto(f"http://cdnshop.{live_server}/cookies")
    assert "127.0.0.1" not in before.headers["content-security-policy"] and loaded == []

    # The page's policy was sent before the choice and refuses the new host: consent.js reloads the page,
    # whose policy now allows it.
    with page.expect_navigation() as reloaded:
        page.click("[data-consent-banner] button[value=accept_all]")
    page.wait_for_selector("html[data-analytics-ran]", state="attached")

    assert loaded == [script_url]
    assert script_url.rsplit("/test-analytics", 1)[0] in reloaded.value.headers["content-security-policy"]
    elsewhere = page.goto(f"http://{other.subdomain}.{live_server}/cookies")
    assert "127.0.0.1" not in elsewhere.headers["content-security-policy"]
