"""Declined jobs stay findable: on the customer's record and in the shop-wide "Declined work" list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from saas.auth.roles import Role
from saas.workorders.estimate import declined_jobs_for_customer
from tests.factories import log_in
from tests.workorders_approval.helpers import BRAKES, BRAKES_TOTAL, FILTER, FILTER_TOTAL, create_work_order

DAY = timedelta(days=1)
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_declined_list_shows_customer_work_order_job_amount_and_date_newest_first(owner_client, app, shop):
    older = create_work_order(app, shop, jobs=(FILTER,), customer_name="Olga Older", declined=True, decided_at=START)
    newer = create_work_order(
        app, shop, jobs=(BRAKES,), customer_name="Nina Newer", declined=True, decided_at=START + DAY
    )
    create_work_order(app, shop, jobs=(("Oil change", []),), customer_name="Paula Pending")

    page = owner_client.get("/work-orders/declined").get_data(as_text=True)

    assert page.index("Nina Newer") < page.index("Olga Older")
    assert f"#{newer.number}" in page and f"#{older.number}" in page
    assert "Front brake pads" in page and "USD 293.27" in page and "02 Mar 2025" in page
    assert "Cabin air filter" in page and "USD 65.67" in page and "01 Mar 2025" in page
    assert f'href="/customers/{newer.customer_id}"' in page
    assert "Paula Pending" not in page and "Oil change" not in page


def test_declined_list_invites_follow_up_when_empty(owner_client):
    page = owner_client.get("/work-orders/declined").get_data(as_text=True)

    assert "No declined work" in page


def test_declined_list_is_paginated(owner_client, app, shop):
    for number in range(30):
        create_work_order(app, shop, jobs=((f"Job {number:02d}", []),), declined=True, decided_at=START + number * DAY)

    first = owner_client.get("/work-orders/declined").get_data(as_text=True)
    second = owner_client.get("/work-orders/declined?page=2").get_data(as_text=True)

    assert "Job 29" in first and "Job 00" not in first
    assert "Job 00" in second and "Page 2 of 2" in second
    assert owner_client.get("/work-orders/declined?page=99").status_code == 200


def test_declined_list_runs_the_same_number_of_queries_for_3_or_30_jobs(owner_client, app, shop, count_queries):
    def add(count):
        for number in range(count):
            create_work_order(
                app, shop, jobs=(BRAKES,), customer_name=f"Customer {number}", declined=True, decided_at=START
            )

    add(3)
    with count_queries() as few:
        assert owner_client.get("/work-orders/declined").status_code == 200
    add(27)
    with count_queries() as many:
        assert owner_client.get("/work-orders/declined").status_code == 200

    assert few.count == many.count, many.statements


def test_technicians_see_declined_work_too_but_only_when_logged_in(factory, shop, shop_client):
    anonymous = shop_client("acme")
    assert anonymous.get("/work-orders/declined").status_code == 302
    log_in(anonymous, factory.user(shop, Role.TECHNICIAN).email)
    assert anonymous.get("/work-orders/declined").status_code == 200


def test_declined_list_shows_only_the_shops_own_work(owner_client, app, shop, other_shop):
    create_work_order(app, other_shop, jobs=(("Bravo secret job", []),), customer_name="Bravo Bob", declined=True)

    page = owner_client.get("/work-orders/declined").get_data(as_text=True)

    assert "Bravo secret job" not in page and "Bravo Bob" not in page
    assert "No declined work" in page


def test_customer_helper_lists_only_that_customers_declined_jobs_newest_first(app, shop, other_shop, factory):
    jane = create_work_order(app, shop, jobs=(FILTER,), declined=True, decided_at=START)
    create_work_order(app, shop, jobs=(BRAKES,), customer_id=jane.customer_id, declined=True, decided_at=START + DAY)
    create_work_order(app, shop, jobs=(BRAKES,), customer_id=jane.customer_id)  # still pending
    create_work_order(app, shop, jobs=(("Someone else's job", []),), customer_name="Other", declined=True)
    bravo = create_work_order(app, other_shop, jobs=(("Bravo job", []),), declined=True)

    with app.test_request_context("/", base_url="http://acme.workbay.test"):
        app.preprocess_request()
        rows = declined_jobs_for_customer(jane.customer_id)
        of_bravo_customer = declined_jobs_for_customer(bravo.customer_id)

    assert [(row.title, row.amount, row.decided_at) for row in rows] == [
        ("Front brake pads", BRAKES_TOTAL, START + DAY),
        ("Cabin air filter", FILTER_TOTAL, START),
    ]
    assert rows[1].work_order_number == jane.number and rows[0].customer_name == "Jane Customer"
    assert of_bravo_customer == []


def test_a_declined_job_without_lines_is_listed_at_zero(app, shop):
    order = create_work_order(app, shop, jobs=(("Just advice", []),), declined=True)

    with app.test_request_context("/", base_url="http://acme.workbay.test"):
        app.preprocess_request()
        [row] = declined_jobs_for_customer(order.customer_id)

    assert row.amount == Decimal("0")


def test_a_job_declined_online_shows_up_in_both_places(owner_client, sent_link, work_order, shop_client, app):
    shop_client("acme").post(
        sent_link,
        data={
            f"job-{work_order.job_ids[0]}": "approved",
            f"job-{work_order.job_ids[1]}": "declined",
            "signed_name": "Jane",
        },
    )

    page = owner_client.get("/work-orders/declined").get_data(as_text=True)
    with app.test_request_context("/", base_url="http://acme.workbay.test"):
        app.preprocess_request()
        rows = declined_jobs_for_customer(work_order.customer_id)

    assert "Cabin air filter" in page and "Front brake pads" not in page
    assert [row.title for row in rows] == ["Cabin air filter"]
