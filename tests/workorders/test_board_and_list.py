"""The job board and the work order list: columns, moves, filters, search, pagination, "my jobs", query counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from saas.auth.roles import Role
from saas.workorders.models import Status
from tests.factories import PASSWORD
from tests.fixtures.clients import host_client
from tests.workorders.helpers import read_work_order


def column(page: str, status: str) -> str:
    """The HTML of one board column."""
    match = re.search(rf'<section class="wo-column" data-status="{status}".*?</section>', page, re.S)
    assert match, f"no column {status}"
    return match.group(0)


def test_board_shows_open_work_orders_in_columns_with_their_cards(owner_client, shop, wo, factory, technician):
    customer = factory.customer(shop, name="Grace Hopper")
    car = wo.asset(shop, customer, plate="NAVY-1")
    wo.work_order(
        shop,
        customer,
        car,
        technicians=(technician,),
        status=Status.IN_PROGRESS,
        promised_at=datetime(2026, 12, 2, 16, 0, tzinfo=UTC),
    )
    wo.work_order(shop, status=Status.WAITING_FOR_PARTS, customer_name="Alan Turing")
    wo.work_order(shop, status=Status.CLOSED, customer_name="Closed Customer")
    wo.work_order(shop, status=Status.CANCELLED, customer_name="Cancelled Customer")

    page = owner_client.get("/work-orders/board").get_data(as_text=True)

    in_progress = column(page, "in_progress")
    for text in ("#1001", "Grace Hopper", "2019 Toyota Corolla (NAVY-1)", "Wed 02 Dec, 16:00", "Theo Tech"):
        assert text in in_progress
    assert "Alan Turing" in column(page, "waiting_for_parts")
    assert "Closed Customer" not in page and "Cancelled Customer" not in page
    assert "Nothing here." in column(page, "estimate")
    assert 'data-to="ready"' in in_progress and 'data-to="waiting_for_parts"' in in_progress


def test_board_button_moves_a_card_and_comes_back_to_the_board(owner_client, app, shop, wo):
    work_order = wo.work_order(shop, status=Status.APPROVED)

    response = owner_client.post(
        f"/work-orders/{work_order.id}/status",
        data={"status": "in_progress", "from_status": "approved", "back_to": "board"},
    )

    assert response.status_code == 302 and response.headers["Location"].endswith("/work-orders/board")
    assert read_work_order(app, shop.id, work_order.id)["status"] == "in_progress"
    page = owner_client.get("/work-orders/board").get_data(as_text=True)
    assert "#1001" in column(page, "in_progress")


def test_technician_gets_move_buttons_only_on_their_own_cards(technician_client, shop, wo, technician, factory):
    colleague = factory.user(shop, Role.TECHNICIAN)
    wo.work_order(shop, technicians=(technician,), status=Status.APPROVED)
    wo.work_order(shop, technicians=(colleague,), status=Status.APPROVED)

    page = technician_client.get("/work-orders/board").get_data(as_text=True)

    assert page.count('data-to="in_progress"') == 1
    assert 'data-to="estimate"' not in page  # back to estimate is the office's decision
    mine = technician_client.get("/work-orders/board?mine=1").get_data(as_text=True)
    assert "#1001" in mine and "#1002" not in mine


def test_list_filters_by_status_technician_and_search(owner_client, shop, wo, factory, technician):
    grace = factory.customer(shop, name="Grace Hopper")
    navy = wo.asset(shop, grace, plate="NAVY-1")
    wo.work_order(shop, grace, navy, technicians=(technician,), status=Status.READY)  # 1001
    wo.work_order(shop, customer_name="Alan Turing")  # 1002
    wo.work_order(shop, customer_name="Ada King", status=Status.CLOSED)  # 1003

    def listed(query: str) -> set[str]:
        page = owner_client.get(f"/work-orders?mine=0&{query}").get_data(as_text=True)
        return set(re.findall(r">#(\d{4})</a>", page))

    assert listed("") == {"1001", "1002", "1003"}
    assert listed("status=ready") == {"1001"}
    assert listed("status=open") == {"1001", "1002"}
    assert listed(f"technician={technician.id}") == {"1001"}
    assert listed("q=grace") == {"1001"}
    assert listed("q=navy") == {"1001"}
    assert listed("q=1002") == {"1002"}
    assert listed("q=%231003") == {"1003"}
    assert listed("status=closed&q=turing") == set()
    assert "No work order matches" in owner_client.get("/work-orders?q=nobody").get_data(as_text=True)
    assert owner_client.get("/work-orders?status=bogus&technician=abc").status_code == 200


def test_list_is_paginated_keeping_the_filters(owner_client, shop, wo, factory):
    customer = factory.customer(shop, name="Fleet Customer")
    for _ in range(27):
        wo.work_order(shop, customer)

    first = owner_client.get("/work-orders?status=estimate").get_data(as_text=True)
    second = owner_client.get("/work-orders?status=estimate&page=2").get_data(as_text=True)

    assert "#1027" in first and "#1003" in first and "#1002" not in first
    assert "#1002" in second and "#1001" in second and "Page 2 of 2" in second
    assert "status=estimate" in re.search(r'<nav class="pagination".*?</nav>', first, re.S).group(0)
    assert owner_client.get("/work-orders?page=99").status_code == 200


def test_technicians_land_on_their_own_jobs(technician_client, shop, wo, technician, factory):
    wo.work_order(shop, technicians=(technician,), customer_name="Mine Customer")
    wo.work_order(shop, customer_name="Other Customer")

    page = technician_client.get("/work-orders").get_data(as_text=True)
    assert "<h1>My jobs" in page and "Mine Customer" in page and "Other Customer" not in page
    everything = technician_client.get("/work-orders?mine=0").get_data(as_text=True)
    assert "Mine Customer" in everything and "Other Customer" in everything


def test_office_lands_on_all_work_orders_and_can_switch_to_their_own(owner_client, shop, wo):
    wo.work_order(shop, customer_name="Someone")
    assert "Someone" in owner_client.get("/work-orders").get_data(as_text=True)
    assert "No work orders are assigned to you" in owner_client.get("/work-orders?mine=1").get_data(as_text=True)


def test_empty_list_and_board_invite_to_open_the_first_work_order(owner_client):
    assert "No work orders yet" in owner_client.get("/work-orders").get_data(as_text=True)
    assert owner_client.get("/work-orders/board").get_data(as_text=True).count("Nothing here.") == 5


def _seed(wo, factory, shop, technicians, count, start):
    statuses = [Status.ESTIMATE, Status.APPROVED, Status.IN_PROGRESS, Status.WAITING_FOR_PARTS, Status.READY]
    for number in range(start, start + count):
        customer = factory.customer(shop, name=f"Customer {number}")
        asset = wo.asset(shop, customer, plate=f"P-{number}")
        wo.work_order(shop, customer, asset, technicians=technicians, status=statuses[number % 5])


@pytest.mark.parametrize("path", ["/work-orders/board", "/work-orders?mine=0", "/work-orders?status=open&q=customer"])
def test_board_and_list_run_the_same_number_of_queries_for_3_or_30_work_orders(
    owner_client, shop, wo, factory, technician, count_queries, path
):
    second = factory.user(shop, Role.TECHNICIAN)
    _seed(wo, factory, shop, (technician, second), 3, 0)
    with count_queries() as few:
        assert owner_client.get(path).status_code == 200
    _seed(wo, factory, shop, (technician, second), 27, 3)
    with count_queries() as many:
        page = owner_client.get(path)
        assert page.status_code == 200
    assert "Customer 29" in page.get_data(as_text=True) or "page=2" in page.get_data(as_text=True)
    assert few.count == many.count, many.statements


def test_board_move_forms_carry_a_csrf_token_and_work_with_protection_on(make_app, app, shop, wo, factory):
    work_order = wo.work_order(shop, status=Status.APPROVED)
    protected = make_app(WTF_CSRF_ENABLED=True)
    client = host_client(protected, f"acme.{protected.config['SERVER_NAME']}")
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": factory.owner(shop).email, "password": PASSWORD, "csrf_token": token})
    board = client.get("/work-orders/board").get_data(as_text=True)
    form = re.search(r'<form[^>]*data-to="in_progress".*?</form>', board, re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))

    assert (
        client.post(
            f"/work-orders/{work_order.id}/status", data={k: v for k, v in fields.items() if k != "csrf_token"}
        ).status_code
        == 400
    )
    assert client.post(f"/work-orders/{work_order.id}/status", data=fields).status_code == 302
    assert read_work_order(app, shop.id, work_order.id)["status"] == "in_progress"
