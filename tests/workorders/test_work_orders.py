"""Opening and editing work orders: customer and asset, concern, odometer, technicians, promised time."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from saas.auth.roles import Role
from saas.customers.models import Asset
from saas.workorders.models import Status, WorkOrder
from tests.fixtures.database import shop_session
from tests.workorders.helpers import numbers_of, read_work_order


def only_work_order(app, tenant_id) -> WorkOrder:
    with shop_session(app, tenant_id) as session:
        return session.scalars(select(WorkOrder)).one()


def test_owner_opens_a_work_order_with_everything_and_sees_it(owner_client, app, shop, customer, asset, technician, wo):
    wo.shop_settings(shop, timezone="America/New_York")
    response = owner_client.post(
        "/work-orders/new",
        data={
            "customer_id": customer.id,
            "asset_id": asset.id,
            "concern": "Squeal when braking",
            "diagnosis": "Pads worn",
            "internal_notes": "Regular, pays cash",
            "odometer_in": "41250",
            "technician_ids": [technician.id],
            "promised_at": "2026-12-01T10:30",
        },
    )

    assert response.status_code == 302
    work_order = only_work_order(app, shop.id)
    assert (work_order.status, work_order.number, work_order.odometer_in) == ("estimate", 1001, 41250)
    assert work_order.promised_at == datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    assert read_work_order(app, shop.id, work_order.id)["technicians"] == [technician.id]
    with shop_session(app, shop.id) as session:
        assert session.scalar(select(Asset.odometer).where(Asset.id == asset.id)) == 41250
    page = owner_client.get(response.headers["Location"]).get_data(as_text=True)
    for text in (
        "Ada Lovelace",
        "2019 Toyota Corolla (ADA-001)",
        "Squeal when braking",
        "Pads worn",
        "Regular, pays cash",
        "41,250",
        "01 Dec 2026, 10:30",
        "Theo Tech",
    ):
        assert text in page


def test_new_work_order_form_preselects_the_customer_from_the_link(owner_client, customer, asset, factory, shop):
    other = factory.customer(shop, name="Somebody Else")
    page = owner_client.get(f"/work-orders/new?customer_id={customer.id}").get_data(as_text=True)

    assert f'<option selected value="{customer.id}">Ada Lovelace</option>' in page
    assert "ADA-001" in page and f'value="{other.id}"' in page


def test_a_lower_odometer_reading_does_not_roll_the_vehicle_back(owner_client, app, shop, customer, asset):
    owner_client.post(
        "/work-orders/new", data={"customer_id": customer.id, "asset_id": asset.id, "odometer_in": "39000"}
    )
    with shop_session(app, shop.id) as session:
        assert session.scalar(select(Asset.odometer).where(Asset.id == asset.id)) == 40000


def test_an_asset_of_another_customer_is_refused_and_nothing_is_created(owner_client, app, shop, customer, wo, factory):
    stranger = factory.customer(shop, name="Stranger")
    their_car = wo.asset(shop, stranger, plate="NOT-ADA")

    response = owner_client.post("/work-orders/new", data={"customer_id": customer.id, "asset_id": their_car.id})

    assert response.status_code == 400
    assert "Pick a vehicle or device of this customer." in response.get_data(as_text=True)
    assert numbers_of(app, shop.id) == []


def test_work_order_without_customer_is_refused(owner_client, app, shop):
    response = owner_client.post("/work-orders/new", data={"concern": "x"})
    assert response.status_code == 400
    assert "Pick a customer." in response.get_data(as_text=True)
    assert numbers_of(app, shop.id) == []


def test_owner_edits_details_and_reassigns_technicians(
    owner_client, app, shop, customer, asset, technician, wo, factory
):
    other_tech = factory.user(shop, Role.TECHNICIAN, name="Tara Tech")
    work_order = wo.work_order(shop, customer, asset, technicians=(technician,))

    response = owner_client.post(
        f"/work-orders/{work_order.id}/edit",
        data={"asset_id": asset.id, "concern": "Now also a rattle", "technician_ids": [other_tech.id]},
    )

    assert response.status_code == 302
    record = only_work_order(app, shop.id)
    assert record.concern == "Now also a rattle"
    assert read_work_order(app, shop.id, work_order.id)["technicians"] == [other_tech.id]
    assert "Tara Tech" in owner_client.get(f"/work-orders/{work_order.id}/edit").get_data(as_text=True)


def test_details_of_an_invoiced_work_order_cannot_change(owner_client, app, shop, customer, wo):
    work_order = wo.work_order(shop, customer, status=Status.INVOICED, concern="Original")

    response = owner_client.post(f"/work-orders/{work_order.id}/edit", data={"concern": "Rewritten"})

    assert response.status_code == 409
    assert "can no longer change" in response.get_data(as_text=True)
    assert only_work_order(app, shop.id).concern == "Original"


def test_technician_reads_work_orders_but_cannot_open_or_edit_them(technician_client, shop, customer, wo):
    work_order = wo.work_order(shop, customer)

    assert technician_client.get(f"/work-orders/{work_order.id}").status_code == 200
    assert technician_client.get("/work-orders/new").status_code == 403
    assert technician_client.post("/work-orders/new", data={"customer_id": customer.id}).status_code == 403
    assert technician_client.post(f"/work-orders/{work_order.id}/edit", data={"concern": "x"}).status_code == 403
    assert technician_client.post(f"/work-orders/{work_order.id}/jobs", data={"title": "x"}).status_code == 403


def test_work_order_pages_require_login(shop, shop_client, wo):
    work_order = wo.work_order(shop)
    client = shop_client("acme")
    for path in ("/work-orders", "/work-orders/board", f"/work-orders/{work_order.id}", "/work-orders/canned-jobs"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
