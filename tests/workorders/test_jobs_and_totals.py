"""Jobs and lines on a work order: labor, parts, fees, discounts, taxes, totals; edits re-open the estimate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update

from saas.workorders.models import Job, Status, WorkOrder
from saas.workorders.pricing import work_order_totals
from tests.fixtures.database import shop_session
from tests.workorders.helpers import read_work_order

LABOR = {"kind": "labor", "description": "Replace pads", "quantity": "1.5"}
PARTS = {
    "kind": "part",
    "description": "Brake pads",
    "part_number": "BP-1",
    "quantity": "2",
    "unit_price": "19.99",
    "unit_cost": "11.00",
}
DISCOUNT = {"kind": "discount", "description": "Loyalty", "unit_price": "5.00"}
FEE = {"kind": "fee", "description": "Shop supplies", "unit_price": "7.50"}


@pytest.fixture
def work_order(wo, shop, customer, asset):
    return wo.work_order(shop, customer, asset)


def add_job(client, work_order_id, title="Front brakes"):
    response = client.post(f"/work-orders/{work_order_id}/jobs", data={"title": title})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def totals_of(app, tenant_id, work_order_id, approved_only=False):
    from saas.core.tenant import Tenant

    with shop_session(app, tenant_id) as session:
        work_order = session.scalar(select(WorkOrder).where(WorkOrder.id == work_order_id))
        return work_order_totals(work_order, session.get(Tenant, tenant_id), approved_only=approved_only)


def test_office_builds_a_job_with_labor_parts_discount_and_fee_and_sees_taxed_totals(
    owner_client, app, shop, work_order, wo
):
    wo.shop_settings(shop, tax_rate_parts=Decimal("0.0825"), tax_rate_fees=Decimal("0.06"))
    add_job(owner_client, work_order.id)
    job_id = read_work_order(app, shop.id, work_order.id)["jobs"][0]["id"]

    for line in (LABOR, PARTS, DISCOUNT, FEE):
        assert owner_client.post(f"/work-orders/jobs/{job_id}/lines", data=line).status_code == 302

    lines = read_work_order(app, shop.id, work_order.id)["jobs"][0]["lines"]
    assert [(line["kind"], line["quantity"], line["unit_price"], line["tax_category"]) for line in lines] == [
        ("labor", Decimal("1.500"), Decimal("120.00"), "labor"),  # the shop's labor rate
        ("part", Decimal("2.000"), Decimal("19.99"), "parts"),
        ("discount", Decimal("1.000"), Decimal("-5.00"), "parts"),  # typed positive, stored negative
        ("fee", Decimal("1.000"), Decimal("7.50"), "fees"),
    ]
    assert (lines[1]["part_number"], lines[1]["unit_cost"]) == ("BP-1", Decimal("11.00"))
    totals = totals_of(app, shop.id, work_order.id)
    # 180.00 + 39.98 - 5.00 + 7.50; parts tax 8.25 % of 34.98 = 2.88585 -> 2.89; fees 6 % of 7.50 = 0.45
    assert totals.subtotal == Decimal("222.48")
    assert [(b.category, b.base, b.tax) for b in totals.taxes] == [
        ("fees", Decimal("7.50"), Decimal("0.45")),
        ("parts", Decimal("34.98"), Decimal("2.89")),
    ]
    assert totals.total == Decimal("225.82")
    page = owner_client.get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    for text in (
        "USD 180.00",
        "USD 39.98",
        "USD -5.00",
        "USD 222.48",
        "8.25 % of USD 34.98",
        "USD 2.89",
        "USD 0.45",
        "USD 225.82",
        "1.5 h",
    ):
        assert text in page, text


def test_a_negative_discount_is_kept_and_an_explicit_tax_category_wins(owner_client, app, shop, work_order, wo):
    job = wo.job(shop, work_order)
    owner_client.post(
        f"/work-orders/jobs/{job.id}/lines",
        data={"kind": "discount", "description": "Coupon", "unit_price": "-10", "tax_category": "none"},
    )
    owner_client.post(
        f"/work-orders/jobs/{job.id}/lines",
        data={"kind": "labor", "description": "Diag", "quantity": "1", "unit_price": "95"},
    )

    lines = read_work_order(app, shop.id, work_order.id)["jobs"][0]["lines"]
    assert [(line["unit_price"], line["tax_category"]) for line in lines] == [
        (Decimal("-10.00"), "none"),
        (Decimal("95.00"), "labor"),
    ]


def test_yen_amounts_round_to_whole_yen(app, shop, work_order, wo, owner_client):
    wo.shop_settings(shop, currency="JPY", labor_rate=Decimal("8001"), tax_rate_parts=Decimal("0.1"))
    wo.job(
        shop,
        work_order,
        lines=(
            {"kind": "labor", "description": "Labor", "quantity": "1.5"},  # 12001.5 -> 12002
            {"kind": "part", "description": "Clip", "quantity": "3", "unit_price": "333.33"},  # 999.99 -> 1000
        ),
    )

    totals = totals_of(app, shop.id, work_order.id)

    assert totals.subtotal == Decimal("13002")
    assert [(b.base, b.tax) for b in totals.taxes] == [(Decimal("1000"), Decimal("100"))]
    assert totals.total == Decimal("13102")
    assert "JPY 13,102" in owner_client.get(f"/work-orders/{work_order.id}").get_data(as_text=True)


def test_approved_only_totals_count_only_approved_jobs(app, shop, work_order, wo):
    approved = wo.job(
        shop, work_order, "Approved job", lines=({"kind": "fee", "description": "A", "unit_price": "10"},)
    )
    wo.job(shop, work_order, "Declined job", lines=({"kind": "fee", "description": "B", "unit_price": "99"},))
    with shop_session(app, shop.id) as session:
        session.execute(update(Job).where(Job.id == approved.id).values(approval="approved"))
        session.commit()

    assert totals_of(app, shop.id, work_order.id).subtotal == Decimal("109.00")
    assert totals_of(app, shop.id, work_order.id, approved_only=True).subtotal == Decimal("10.00")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"kind": "part", "description": "", "unit_price": "1"}, "This field is required."),
        ({"kind": "part", "description": "Pads", "unit_price": "-1"}, "Prices cannot be negative"),
        ({"kind": "part", "description": "Pads"}, "Enter a price."),
        ({"kind": "part", "description": "Pads", "unit_price": "1", "quantity": "0"}, "Quantity must be more than 0."),
        ({"kind": "labor", "description": "Work", "quantity": "-2"}, "Hours must be more than 0."),
        ({"kind": "discount", "description": "Nothing", "unit_price": "0"}, "A discount needs an amount."),
        ({"kind": "gift", "description": "x", "unit_price": "1"}, "Not a valid choice"),
        ({"kind": "fee", "description": "x", "unit_price": "abc"}, "Not a valid decimal value"),
        ({"kind": "fee", "description": "x", "unit_price": "1", "tax_category": "vat"}, "Not a valid choice"),
    ],
)
def test_a_bad_line_is_refused_with_a_message_and_nothing_changes(
    owner_client, app, shop, work_order, wo, line, message
):
    job = wo.job(shop, work_order)
    before = read_work_order(app, shop.id, work_order.id)

    response = owner_client.post(f"/work-orders/jobs/{job.id}/lines", data=line)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert read_work_order(app, shop.id, work_order.id) == before


def test_every_change_to_jobs_or_lines_bumps_the_estimate_and_asks_for_a_new_answer(
    owner_client, app, shop, work_order, wo
):
    job = wo.job(shop, work_order, lines=(FEE,))

    def approve_job():
        with shop_session(app, shop.id) as session:
            session.execute(update(Job).where(Job.id == job.id).values(approval="approved"))
            session.commit()

    def version():
        return read_work_order(app, shop.id, work_order.id)["estimate_version"]

    line_id = None
    start = version()
    approve_job()
    assert owner_client.post(f"/work-orders/jobs/{job.id}/lines", data=PARTS).status_code == 302
    assert version() == start + 1
    assert read_work_order(app, shop.id, work_order.id)["jobs"][0]["approval"] == "pending"

    approve_job()
    with shop_session(app, shop.id) as session:
        from saas.workorders.models import JobLine

        line_id = session.scalar(select(JobLine.id).where(JobLine.job_id == job.id, JobLine.kind == "part"))
    assert owner_client.post(f"/work-orders/lines/{line_id}/edit", data={**PARTS, "quantity": "4"}).status_code == 302
    record = read_work_order(app, shop.id, work_order.id)
    assert record["estimate_version"] == start + 2 and record["jobs"][0]["approval"] == "pending"
    assert record["jobs"][0]["lines"][1]["quantity"] == Decimal("4.000")

    assert owner_client.post(f"/work-orders/lines/{line_id}/delete").status_code == 302
    assert owner_client.post(f"/work-orders/jobs/{job.id}/edit", data={"title": "Renamed"}).status_code == 302
    add_job(owner_client, work_order.id, "Another job")
    record = read_work_order(app, shop.id, work_order.id)
    assert record["estimate_version"] == start + 5
    assert [j["title"] for j in record["jobs"]] == ["Renamed", "Another job"]
    assert len(record["jobs"][0]["lines"]) == 1

    assert owner_client.post(f"/work-orders/jobs/{job.id}/delete").status_code == 302
    record = read_work_order(app, shop.id, work_order.id)
    assert record["estimate_version"] == start + 6 and [j["title"] for j in record["jobs"]] == ["Another job"]


@pytest.mark.parametrize("status", [Status.INVOICED, Status.CLOSED, Status.CANCELLED])
def test_jobs_and_lines_are_frozen_once_invoiced_closed_or_cancelled(owner_client, app, shop, customer, wo, status):
    work_order = wo.work_order(shop, customer, status=Status.READY)
    job = wo.job(shop, work_order, lines=(FEE,))
    with shop_session(app, shop.id) as session:
        from saas.workorders.models import JobLine

        line_id = session.scalar(select(JobLine.id).where(JobLine.job_id == job.id))
        session.execute(update(WorkOrder).where(WorkOrder.id == work_order.id).values(status=status))
        session.commit()
    before = read_work_order(app, shop.id, work_order.id)

    attempts = [
        owner_client.post(f"/work-orders/{work_order.id}/jobs", data={"title": "More"}),
        owner_client.post(f"/work-orders/jobs/{job.id}/lines", data=PARTS),
        owner_client.post(f"/work-orders/jobs/{job.id}/edit", data={"title": "Renamed"}),
        owner_client.post(f"/work-orders/lines/{line_id}/edit", data=PARTS),
        owner_client.post(f"/work-orders/lines/{line_id}/delete"),
        owner_client.post(f"/work-orders/jobs/{job.id}/delete"),
    ]

    assert [response.status_code for response in attempts] == [409] * 6
    assert "can no longer change" in attempts[0].get_data(as_text=True)
    assert read_work_order(app, shop.id, work_order.id) == before
    page = owner_client.get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    assert "Add a job" not in page and "Edit details" not in page


def test_a_job_without_a_title_is_refused(owner_client, app, shop, work_order):
    response = owner_client.post(f"/work-orders/{work_order.id}/jobs", data={"title": "  "})
    assert response.status_code == 400
    assert read_work_order(app, shop.id, work_order.id)["jobs"] == []


def test_edit_pages_of_a_job_and_a_line_show_their_values(owner_client, app, shop, work_order, wo):
    job = wo.job(shop, work_order, "Front brakes", lines=(PARTS,))
    with shop_session(app, shop.id) as session:
        from saas.workorders.models import JobLine

        line_id = session.scalar(select(JobLine.id).where(JobLine.job_id == job.id))

    job_page = owner_client.get(f"/work-orders/jobs/{job.id}/edit")
    line_page = owner_client.get(f"/work-orders/lines/{line_id}/edit")

    assert job_page.status_code == 200 and 'value="Front brakes"' in job_page.get_data(as_text=True)
    assert line_page.status_code == 200
    assert 'value="BP-1"' in line_page.get_data(as_text=True) and 'value="19.99"' in line_page.get_data(as_text=True)


def test_work_order_page_runs_the_same_number_of_queries_for_1_or_8_jobs(
    owner_client, shop, work_order, wo, count_queries
):
    wo.job(shop, work_order, lines=(LABOR, PARTS))
    with count_queries() as few:
        assert owner_client.get(f"/work-orders/{work_order.id}").status_code == 200
    for number in range(7):
        wo.job(shop, work_order, f"Job {number}", lines=(LABOR, PARTS, FEE))
    with count_queries() as many:
        page = owner_client.get(f"/work-orders/{work_order.id}")
        assert page.status_code == 200 and "Job 6" in page.get_data(as_text=True)
    assert few.count == many.count, many.statements
