"""Canned jobs: managed by the shop's management, copied into a work order in two clicks."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from saas.auth.roles import Role
from saas.workorders.models import CannedJob, CannedJobLine
from tests.factories import log_in
from tests.fixtures.database import shop_session
from tests.workorders.helpers import read_work_order


def canned_jobs_of(app, tenant_id) -> dict[str, list[tuple]]:
    with shop_session(app, tenant_id) as session:
        return {
            canned.title: [
                (line.kind, line.description, line.quantity, line.unit_price)
                for line in session.scalars(
                    select(CannedJobLine).where(CannedJobLine.canned_job_id == canned.id).order_by(CannedJobLine.id)
                )
            ]
            for canned in session.scalars(select(CannedJob).order_by(CannedJob.title))
        }


def create_canned_job(client, title="Oil change", lines=()):
    response = client.post("/work-orders/canned-jobs", data={"title": title, "description": "5W-30, filter"})
    assert response.status_code == 302, response.get_data(as_text=True)
    canned_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    for line in lines:
        assert client.post(f"/work-orders/canned-jobs/{canned_id}/lines", data=line).status_code == 302
    return canned_id


OIL_CHANGE = (
    {"kind": "labor", "description": "Oil change", "quantity": "0.5"},
    {"kind": "part", "description": "Oil 5W-30", "part_number": "OIL-5", "quantity": "5", "unit_price": "8.50"},
    {"kind": "part", "description": "Oil filter", "quantity": "1", "unit_price": "12.00"},
)


def test_owner_creates_a_canned_job_with_lines_and_sees_it_listed(owner_client, app, shop):
    canned_id = create_canned_job(owner_client, lines=OIL_CHANGE)

    assert canned_jobs_of(app, shop.id) == {
        "Oil change": [
            ("labor", "Oil change", Decimal("0.500"), Decimal("120.00")),
            ("part", "Oil 5W-30", Decimal("5.000"), Decimal("8.50")),
            ("part", "Oil filter", Decimal("1.000"), Decimal("12.00")),
        ]
    }
    listing = owner_client.get("/work-orders/canned-jobs").get_data(as_text=True)
    assert "Oil change" in listing and "USD 114.50" in listing
    assert "Oil filter" in owner_client.get(f"/work-orders/canned-jobs/{canned_id}").get_data(as_text=True)


def test_owner_renames_edits_lines_and_deletes_canned_jobs(owner_client, app, shop):
    canned_id = create_canned_job(owner_client, lines=OIL_CHANGE[:1])
    with shop_session(app, shop.id) as session:
        line_id = session.scalar(select(CannedJobLine.id))

    assert owner_client.post(f"/work-orders/canned-jobs/{canned_id}", data={"title": "Quick oil"}).status_code == 302
    response = owner_client.post(
        f"/work-orders/canned-jobs/lines/{line_id}/edit",
        data={"kind": "labor", "description": "Oil change", "quantity": "0.7"},
    )
    assert response.status_code == 302
    assert canned_jobs_of(app, shop.id) == {"Quick oil": [("labor", "Oil change", Decimal("0.700"), Decimal("120.00"))]}

    assert owner_client.post(f"/work-orders/canned-jobs/lines/{line_id}/delete").status_code == 302
    assert canned_jobs_of(app, shop.id) == {"Quick oil": []}
    assert owner_client.post(f"/work-orders/canned-jobs/{canned_id}/delete").status_code == 302
    assert canned_jobs_of(app, shop.id) == {}


def test_a_duplicate_or_empty_title_is_refused(owner_client, app, shop):
    create_canned_job(owner_client, "Oil change")

    duplicate = owner_client.post("/work-orders/canned-jobs", data={"title": "oil CHANGE"})
    empty = owner_client.post("/work-orders/canned-jobs", data={"title": ""})

    assert duplicate.status_code == 400 and "already a canned job" in duplicate.get_data(as_text=True)
    assert empty.status_code == 400
    assert list(canned_jobs_of(app, shop.id)) == ["Oil change"]


def test_adding_a_canned_job_copies_it_with_its_lines(owner_client, app, shop, wo, customer):
    canned_id = create_canned_job(owner_client, lines=OIL_CHANGE)
    work_order = wo.work_order(shop, customer)
    page = owner_client.get(f"/work-orders/{work_order.id}").get_data(as_text=True)
    assert f'<option value="{canned_id}">Oil change</option>' in page

    response = owner_client.post(f"/work-orders/{work_order.id}/canned-job", data={"canned_job_id": canned_id})

    assert response.status_code == 302
    record = read_work_order(app, shop.id, work_order.id)
    assert [job["title"] for job in record["jobs"]] == ["Oil change"]
    assert [
        (line["kind"], line["description"], line["quantity"], line["unit_price"], line["part_number"])
        for line in record["jobs"][0]["lines"]
    ] == [
        ("labor", "Oil change", Decimal("0.500"), Decimal("120.00"), None),
        ("part", "Oil 5W-30", Decimal("5.000"), Decimal("8.50"), "OIL-5"),
        ("part", "Oil filter", Decimal("1.000"), Decimal("12.00"), None),
    ]
    assert record["estimate_version"] == 2
    assert "USD 114.50" in owner_client.get(f"/work-orders/{work_order.id}").get_data(as_text=True)


def test_adding_without_picking_a_canned_job_is_refused(owner_client, app, shop, wo):
    work_order = wo.work_order(shop)
    response = owner_client.post(f"/work-orders/{work_order.id}/canned-job", data={"canned_job_id": ""})
    assert response.status_code == 400
    assert read_work_order(app, shop.id, work_order.id)["jobs"] == []


def test_only_management_manages_canned_jobs_but_advisors_use_them(factory, shop, shop_client, owner_client, wo, app):
    canned_id = create_canned_job(owner_client, lines=OIL_CHANGE[:1])
    advisor = factory.user(shop, Role.SERVICE_ADVISOR)
    client = shop_client("acme")
    log_in(client, advisor.email)
    work_order = wo.work_order(shop)

    assert client.get("/work-orders/canned-jobs").status_code == 403
    assert client.post("/work-orders/canned-jobs", data={"title": "Mine"}).status_code == 403
    assert client.post(f"/work-orders/canned-jobs/{canned_id}/delete").status_code == 403
    assert client.post(f"/work-orders/{work_order.id}/canned-job", data={"canned_job_id": canned_id}).status_code == 302
    assert list(canned_jobs_of(app, shop.id)) == ["Oil change"]
