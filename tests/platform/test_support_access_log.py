"""The shop's own log of support visits (Settings › Support access): the owner sees who came, when, why,
until when and what was opened, and decides whether support may make changes; no one else sees it."""

from __future__ import annotations

from sqlalchemy import select

from saas.audit.models import AccessLogEntry
from saas.auth.roles import Role
from saas.core.tenant import Tenant
from tests.fixtures.database import shop_session
from tests.fixtures.pages import flashes
from tests.platform.test_support_access import BANNER, REASON, add_visits, enter_shop, visits

LOG = "/settings/support-access"


def test_the_owner_sees_each_visit_with_who_when_why_and_the_pages_it_opened(
    console, shop_client, shop, technician, owner_client, customer
):
    browser = enter_shop(console, shop_client, shop, technician)
    browser.get("/customers?q=ada+lovelace")
    browser.get(f"/customers/{customer.id}")
    browser.post("/customers/new", data={"name": "Refused"})
    browser.post("/support/end")

    page = owner_client.get(LOG).get_data(as_text=True)

    assert "Root" in page and "root@workbay.example.com" in page
    assert "Theo Tech" in page and REASON in page
    assert "4 pages" in page
    assert "GET /customers?q=ada+lovelace" in page
    assert f"GET /customers/{customer.id}" in page
    assert "POST /customers/new" in page and "refused (403)" in page
    assert "POST /support/end" in page
    assert BANNER not in page


def test_a_long_query_string_is_cut_short_in_the_log(console, shop_client, shop, technician, app):
    browser = enter_shop(console, shop_client, shop, technician)
    browser.get("/customers?q=" + "x" * 1000)

    [visit] = visits(app, shop.id)
    [opened] = visit.pages
    assert opened.path.startswith("/customers?q=xxx") and opened.path.endswith("…")
    assert len(opened.path) < 100


def test_access_log_entries_made_during_a_visit_say_it_was_workbay_support(
    console, shop_client, shop, technician, customer, app
):
    browser = enter_shop(console, shop_client, shop, technician)
    browser.get(f"/customers/{customer.id}")

    with shop_session(app, shop.id) as session:
        [entry] = session.scalars(select(AccessLogEntry)).all()
    assert entry.user_id == technician.id
    assert entry.description == "Opened the customer's record — by Workbay support (Root)"


def test_staff_entries_in_the_access_log_carry_no_support_note(technician_client, customer, shop, app):
    technician_client.get(f"/customers/{customer.id}")

    with shop_session(app, shop.id) as session:
        [entry] = session.scalars(select(AccessLogEntry)).all()
    assert entry.description == "Opened the customer's record"


def test_the_owner_allows_support_to_make_changes_for_visits_started_afterwards(owner_client, shop, app):
    assert "Allow Workbay support to make changes during visits" in owner_client.get(LOG).get_data(as_text=True)

    response = owner_client.post(LOG, data={"write_allowed": "on"}, follow_redirects=True)

    assert "Workbay support may make changes during visits started from now on." in flashes(response)
    with shop_session(app, shop.id) as session:
        assert session.scalar(select(Tenant.support_write_allowed))
    response = owner_client.post(LOG, data={}, follow_redirects=True)
    assert "Visits started from now on are read-only." in flashes(response)


def test_the_settings_page_links_the_support_log_for_the_owner_only(owner_client, login_as, factory, shop):
    manager = login_as(factory.user(shop, Role.MANAGER))

    assert f'href="{LOG}"' in owner_client.get("/settings").get_data(as_text=True)
    assert f'href="{LOG}"' not in manager.get("/settings").get_data(as_text=True)


def test_staff_other_than_the_owner_cannot_see_the_support_log(technician_client, login_as, factory, shop):
    manager = login_as(factory.user(shop, Role.MANAGER))

    assert technician_client.get(LOG).status_code == 403
    assert manager.get(LOG).status_code == 403
    assert technician_client.post(LOG, data={"write_allowed": "on"}).status_code == 403


def test_another_shops_owner_does_not_see_this_shops_visits(login_as, factory, shop, other_shop, technician, app):
    add_visits(app, shop.id, technician.id, 2)
    bravo_owner = login_as(factory.owner(other_shop), "bravo")

    page = bravo_owner.get(LOG).get_data(as_text=True)

    assert "Workbay support has not visited your shop." in page
    assert "Looking into ticket" not in page


def test_the_support_log_takes_as_many_queries_for_30_visits_as_for_3(
    owner_client, shop, technician, app, count_queries
):
    add_visits(app, shop.id, technician.id, 3)
    with count_queries() as few:
        assert owner_client.get(LOG).status_code == 200
    add_visits(app, shop.id, technician.id, 27, first=3)
    with count_queries() as many:
        page = owner_client.get(LOG).get_data(as_text=True)

    assert "Looking into ticket 29" in page
    assert many.count == few.count
