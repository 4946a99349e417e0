"""The staff's queue of privacy requests: who may see it, the list and its filters, a request's page and
history, the shop's deadline rules, and another shop's staff reaching none of it."""

from __future__ import annotations

import re

import pytest

from saas.auth.roles import Role
from tests.factories import log_in
from tests.fixtures.database import snapshot
from tests.fixtures.pages import field_errors, redirect_path
from tests.fixtures.shops import update_shop
from tests.privacy.center_helpers import ADA, access_log, ago, load, make_request

# --- who may see it -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.OWNER, 200), (Role.MANAGER, 200), (Role.SERVICE_ADVISOR, 403), (Role.TECHNICIAN, 403)],
)
def test_the_queue_is_for_owners_and_managers(app, factory, shop, ada, login_as, role, status):
    request_id = make_request(app, shop, "access", ADA)
    client = login_as(factory.owner(shop) if role == Role.OWNER else factory.user(shop, role))

    pages = [
        client.get(path)
        for path in ("/privacy-requests", f"/privacy-requests/{request_id}", "/privacy-requests/settings")
    ]

    assert [page.status_code for page in pages] == [status] * 3
    assert ("/privacy-requests" in client.get("/").get_data(as_text=True)) is (status == 200)


def test_the_queue_asks_for_a_login(shop_client, shop):
    response = shop_client("acme").get("/privacy-requests")

    assert response.status_code == 302 and redirect_path(response).startswith("/login")


# --- the list -----------------------------------------------------------------------------


def test_open_requests_come_soonest_deadline_first_with_urgent_and_overdue_ones_marked(
    app, factory, shop, ada, owner_client
):
    fresh = make_request(app, shop, "correction", ADA, when=ago(2))
    urgent = make_request(app, shop, "erasure", "unknown@example.com", when=ago(27))
    overdue = make_request(app, shop, "access", ADA, when=ago(40))
    make_request(app, shop, "objection", "pending@example.com", verify=False)

    page = owner_client.get("/privacy-requests").get_data(as_text=True)

    order = [page.index(f'href="/privacy-requests/{request_id}"') for request_id in (overdue, urgent, fresh)]
    assert order == sorted(order)
    assert "pending@example.com" not in page  # not confirmed: not work yet
    assert 'class="request-overdue"' in page and "Overdue by" in page
    assert 'class="request-urgent"' in page
    assert "2 due within 5 days or overdue" in page
    assert "Ada Lovelace" in page and "No matching customer" in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("?kind=erasure", ["erase@example.com"], ["ada@example.com", "done@example.com"]),
        ("?q=ERASE", ["erase@example.com"], ["ada@example.com"]),
        ("?q=%25", [], ["ada@example.com", "erase@example.com"]),  # a % is a character, not a wildcard
        ("?urgent=1", ["erase@example.com"], ["ada@example.com", "done@example.com"]),
        ("?status=received", ["pending@example.com"], ["ada@example.com"]),
        ("?status=closed", ["done@example.com"], ["ada@example.com", "pending@example.com"]),
        ("?status=all", ["ada@example.com", "done@example.com", "pending@example.com"], []),
        ("?status=nonsense&kind=sell_my_data&urgent=maybe", ["ada@example.com"], ["pending@example.com"]),
        ("?q=" + "x" * 5000 + "%00", [], ["ada@example.com"]),
    ],
)
def test_the_list_filters_by_status_kind_urgency_and_address(app, shop, ada, owner_client, query, shown, hidden):
    make_request(app, shop, "access", ADA, when=ago(1))
    make_request(app, shop, "erasure", "erase@example.com", when=ago(28))
    make_request(app, shop, "marketing_opt_out", "done@example.com")  # completes itself
    make_request(app, shop, "access", "pending@example.com", verify=False)

    response = owner_client.get("/privacy-requests" + query)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert [address in page for address in shown] == [True] * len(shown)
    assert [address in page for address in hidden] == [False] * len(hidden)


def test_the_list_is_paginated(app, shop, owner_client):
    for n in range(27):
        make_request(app, shop, "access", f"person{n:02}@example.com", when=ago(1))

    first, second = owner_client.get("/privacy-requests"), owner_client.get("/privacy-requests?page=2")

    assert "Page 1 of 2" in first.get_data(as_text=True)
    assert len(set(re.findall(r'href="/privacy-requests/(\d+)"', second.get_data(as_text=True)))) == 2


def test_the_list_runs_the_same_number_of_queries_for_few_or_many_requests(
    app, factory, shop, owner_client, count_queries
):
    def add(count: int, offset: int) -> None:
        for n in range(count):
            email = f"customer{offset + n}@example.com"
            factory.customer(shop, name=f"Customer {offset + n}", email=email)
            make_request(app, shop, "access", email, when=ago(n % 40))

    add(2, 0)
    with count_queries() as few:
        assert owner_client.get("/privacy-requests").status_code == 200
    add(20, 100)
    with count_queries() as many:
        assert owner_client.get("/privacy-requests").status_code == 200

    assert many.count == few.count


def test_an_empty_queue_says_what_will_come(owner_client, shop):
    page = owner_client.get("/privacy-requests").get_data(as_text=True)

    assert "No open requests" in page and 'href="/privacy"' in page


# --- a request's page ---------------------------------------------------------------------


def test_a_requests_page_shows_its_customers_and_history_and_logs_the_data_seen(app, factory, shop, ada, owner_client):
    request_id = make_request(app, shop, "correction", ADA, details="My phone is +1 217 555 0199")
    number = load(app, shop.id, request_id).number

    page = owner_client.get(f"/privacy-requests/{request_id}").get_data(as_text=True)

    assert f"#{number} · Correct my data" in page
    assert "My phone is +1 217 555 0199" in page
    assert f'href="/customers/{ada.id}"' in page and "Ada Lovelace" in page
    assert "The requester</strong>: asked on the privacy center" in page
    assert "The requester</strong>: confirmed the request from their mailbox" in page
    assert f"/privacy-requests/{request_id}/customers/{ada.id}/correct" in page
    assert ("view", "customer", ada.id, f"Privacy request #{number}") in access_log(app, shop.id)


def test_an_unknown_request_is_404(owner_client, shop):
    assert owner_client.get("/privacy-requests/999999").status_code == 404


# --- the deadline rules -------------------------------------------------------------------


def test_a_us_shop_may_choose_californias_rules_for_new_requests_only(app, shop, ada, owner_client):
    earlier = make_request(app, shop, "access", ADA)

    page = owner_client.get("/privacy-requests/settings").get_data(as_text=True)
    saved = owner_client.post("/privacy-requests/settings", data={"jurisdiction": "ccpa"})
    later = make_request(app, shop, "access", ADA)

    assert "45 days (California: CCPA/CPRA)" in page
    assert saved.status_code == 303
    assert (load(app, shop.id, earlier).jurisdiction, load(app, shop.id, later).jurisdiction) == ("gdpr", "ccpa")
    assert "Deadlines: 45 days" in owner_client.get("/privacy-requests").get_data(as_text=True)
    assert "<strong>45 days</strong>" in owner_client.get("/settings").get_data(as_text=True)


@pytest.mark.parametrize("choice", ["ccpa", "mars", ""])
def test_a_shop_outside_the_us_keeps_gdprs_rules(app, shop, owner_client, choice):
    update_shop(app, shop.id, country="DE")

    page = owner_client.get("/privacy-requests/settings").get_data(as_text=True)
    response = owner_client.post("/privacy-requests/settings", data={"jurisdiction": choice})

    assert "California" not in page
    assert response.status_code == 400
    assert "Choose one of the rules offered for your shop's country." in field_errors(response)


def test_a_shops_deadline_rules_are_its_own(app, shop, other_shop, owner_client, login_as, factory):
    owner_client.post("/privacy-requests/settings", data={"jurisdiction": "ccpa"})
    bravo = login_as(factory.owner(other_shop), "bravo")

    page = bravo.get("/privacy-requests/settings").get_data(as_text=True)
    request_id = make_request(app, other_shop, "access", ADA)

    assert re.search(r'<input checked[^>]*value="gdpr"', page)
    assert not re.search(r'<input checked[^>]*value="ccpa"', page)
    assert load(app, other_shop.id, request_id).jurisdiction == "gdpr"


def test_the_settings_page_shows_the_rules_to_whoever_works_the_queue(owner_client, shop):
    page = owner_client.get("/settings").get_data(as_text=True)

    assert 'href="/privacy-requests/settings"' in page and "one calendar month" in page


# --- another shop -------------------------------------------------------------------------


def test_another_shops_staff_reach_no_request_route_and_leave_no_trace(
    app, factory, shop, other_shop, ada, shop_client, superuser_engine, tenant_tables
):
    request_id = make_request(app, shop, "correction", ADA)
    bravo = shop_client("bravo")
    log_in(bravo, "owner@bravo.example.com")
    before = snapshot(superuser_engine, tenant_tables, shop.id)
    form = {
        "extend-extension": "2",
        "extend-reason": "x",
        "complete-note": "x",
        "refuse-note": "x",
        "name": "Hijacked",
        "email": "hijack@example.com",
    }

    statuses = {
        (method, path): bravo.open(path, method=method, data=form if method == "POST" else None).status_code
        for method, path in [
            ("GET", f"/privacy-requests/{request_id}"),
            ("POST", f"/privacy-requests/{request_id}/start"),
            ("POST", f"/privacy-requests/{request_id}/extend"),
            ("POST", f"/privacy-requests/{request_id}/complete"),
            ("POST", f"/privacy-requests/{request_id}/refuse"),
            ("GET", f"/privacy-requests/{request_id}/customers/{ada.id}/correct"),
            ("POST", f"/privacy-requests/{request_id}/customers/{ada.id}/correct"),
        ]
    }

    assert statuses == dict.fromkeys(statuses, 404)
    assert ADA not in bravo.get("/privacy-requests?status=all").get_data(as_text=True)
    assert snapshot(superuser_engine, tenant_tables, shop.id) == before
