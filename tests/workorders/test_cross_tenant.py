"""Shop A's staff try every work order route with shop B's ids, by URL and by form field: 404 or a
refusal, and B's rows stay exactly as they were."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import inspect, select

from saas.auth.roles import Role
from saas.core.sequences import NumberSequence
from saas.customers.models import Asset, Customer
from saas.workorders.models import (
    CannedJob,
    CannedJobLine,
    Job,
    JobLine,
    Status,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderTechnician,
)
from tests.factories import log_in
from tests.fixtures.database import shop_session
from tests.workorders.helpers import numbers_of

MODELS = (
    Customer,
    Asset,
    WorkOrder,
    WorkOrderTechnician,
    WorkOrderEvent,
    Job,
    JobLine,
    CannedJob,
    CannedJobLine,
    NumberSequence,
)
# Each work order route with an id: which of B's rows each id names.
ROUTE_TARGETS = {
    "workorders.show": {"work_order_id": "work_order"},
    "workorders.edit": {"work_order_id": "work_order"},
    "workorders.change_status": {"work_order_id": "work_order"},
    "workorders.add_job": {"work_order_id": "work_order"},
    "workorders.add_canned_job": {"work_order_id": "work_order"},
    "workorders.edit_job": {"job_id": "job"},
    "workorders.delete_job": {"job_id": "job"},
    "workorders.add_line": {"job_id": "job"},
    "workorders.edit_line": {"line_id": "line"},
    "workorders.delete_line": {"line_id": "line"},
    "workorders.canned_job": {"canned_job_id": "canned_job"},
    "workorders.delete_canned_job": {"canned_job_id": "canned_job"},
    "workorders.add_canned_line": {"canned_job_id": "canned_job"},
    "workorders.edit_canned_line": {"line_id": "canned_line"},
    "workorders.delete_canned_line": {"line_id": "canned_line"},
}
# Enough for any of these forms to change something if the row were reachable.
HOSTILE_FORM = {
    "title": "Hijacked",
    "status": "cancelled",
    "concern": "hijacked",
    "kind": "fee",
    "description": "hijacked",
    "unit_price": "1",
    "canned_job_id": "0",
    "customer_id": "0",
}


def snapshot(app, tenant_id) -> dict:
    """Every work-order-related row of a shop, as plain values."""
    with shop_session(app, tenant_id) as session:
        return {
            model.__tablename__: sorted(
                (
                    tuple((c.key, getattr(row, c.key)) for c in inspect(model).column_attrs)
                    for row in session.scalars(select(model))
                ),
                key=repr,
            )
            for model in MODELS
        }


@pytest.fixture
def bravo(app, factory, wo):
    """Shop B with a work order (job, line, technician), a canned job with a line."""
    tenant = factory.tenant("bravo")
    tech = factory.user(tenant, Role.TECHNICIAN)
    customer = factory.customer(tenant, name="Bravo Customer")
    asset = wo.asset(tenant, customer, plate="BRAVO-1")
    work_order = wo.work_order(tenant, customer, asset, technicians=(tech,), status=Status.APPROVED)
    job = wo.job(tenant, work_order, lines=({"kind": "fee", "description": "B fee", "unit_price": "10"},))
    with shop_session(app, tenant.id) as session:
        canned = CannedJob(title="Bravo canned", description="")
        session.add(canned)
        session.flush()
        canned_line = CannedJobLine(
            canned_job_id=canned.id, kind="fee", description="x", quantity=1, unit_price=1, tax_category="fees"
        )
        session.add(canned_line)
        session.commit()
        ids = {
            "work_order": work_order.id,
            "job": job.id,
            "line": session.scalar(select(JobLine.id).where(JobLine.job_id == job.id)),
            "canned_job": canned.id,
            "canned_line": canned_line.id,
            "customer": customer.id,
            "asset": asset.id,
            "technician": tech.id,
        }
    return tenant, ids


@pytest.fixture
def alpha(factory, shop_client, wo):
    """Shop A's owner, logged in at A, with a customer, an asset and a work order of A's own."""
    tenant = factory.tenant("alpha")
    client = shop_client("alpha")
    log_in(client, factory.owner(tenant).email)
    customer = factory.customer(tenant, name="Alpha Customer")
    asset = wo.asset(tenant, customer, plate="ALPHA-1")
    work_order = wo.work_order(tenant, customer, asset)
    return tenant, client, {"customer": customer.id, "asset": asset.id, "work_order": work_order.id}


def _routes(app):
    return {
        rule.endpoint: rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("workorders.") and "<int:" in rule.rule
    }


def test_every_work_order_route_with_an_id_has_a_cross_tenant_case(app):
    assert {endpoint: set(rule.arguments) - {"shop"} for endpoint, rule in _routes(app).items()} == {
        endpoint: set(args) for endpoint, args in ROUTE_TARGETS.items()
    }


def test_staff_of_another_shop_get_404_for_every_work_order_route_and_leave_no_trace(app, alpha, bravo):
    _, client, _ = alpha
    tenant_b, ids = bravo
    before = snapshot(app, tenant_b.id)
    adapter = app.url_map.bind(app.config["SERVER_NAME"], subdomain="alpha")
    statuses = {}
    for endpoint, rule in sorted(_routes(app).items()):
        values = {arg: ids[target] for arg, target in ROUTE_TARGETS[endpoint].items()}
        path = adapter.build(endpoint, {"shop": "alpha", **values})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            statuses[(endpoint, method)] = client.open(
                path, method=method, data=HOSTILE_FORM if method == "POST" else None
            ).status_code

    assert statuses == dict.fromkeys(statuses, 404)
    assert snapshot(app, tenant_b.id) == before


def test_new_work_order_link_with_another_shops_customer_is_404(app, alpha, bravo):
    _, client, _ = alpha
    assert client.get(f"/work-orders/new?customer_id={bravo[1]['customer']}").status_code == 404


@pytest.mark.parametrize(
    "hostile",
    [
        {"customer_id": "B:customer"},
        {"customer_id": "A:customer", "asset_id": "B:asset"},
        {"customer_id": "A:customer", "technician_ids": ["B:technician"]},
    ],
    ids=["customer", "asset", "technician"],
)
def test_a_form_naming_another_shops_customer_asset_or_technician_is_refused(app, alpha, bravo, hostile):
    tenant_a, client, ids_a = alpha
    tenant_b, ids_b = bravo
    before_a, before_b = snapshot(app, tenant_a.id), snapshot(app, tenant_b.id)

    def resolve(value):
        if isinstance(value, list):
            return [resolve(v) for v in value]
        shop, key = value.split(":")
        return (ids_a if shop == "A" else ids_b)[key]

    data = {key: resolve(value) for key, value in hostile.items()}
    created = client.post("/work-orders/new", data={"concern": "x", **data})
    edit_data = {key: value for key, value in data.items() if key != "customer_id"}

    assert created.status_code == 400
    assert "this shop" in html.unescape(created.get_data(as_text=True))
    if edit_data:  # the same ids on the edit form of A's own work order
        edited = client.post(f"/work-orders/{ids_a['work_order']}/edit", data={"concern": "changed", **edit_data})
        assert edited.status_code == 400
    assert snapshot(app, tenant_a.id) == before_a
    assert numbers_of(app, tenant_a.id) == [1001]
    assert snapshot(app, tenant_b.id) == before_b


def test_adding_another_shops_canned_job_is_refused(app, alpha, bravo):
    tenant_a, client, ids_a = alpha
    tenant_b, ids_b = bravo
    before_a, before_b = snapshot(app, tenant_a.id), snapshot(app, tenant_b.id)

    response = client.post(
        f"/work-orders/{ids_a['work_order']}/canned-job", data={"canned_job_id": ids_b["canned_job"]}
    )

    assert response.status_code == 400
    assert "this shop's canned jobs" in html.unescape(response.get_data(as_text=True))
    assert snapshot(app, tenant_a.id) == before_a
    assert snapshot(app, tenant_b.id) == before_b


def test_the_list_board_and_search_show_only_the_shops_own_work_orders(app, alpha, bravo):
    _, client, _ = alpha
    for path in (
        "/work-orders?mine=0",
        "/work-orders/board",
        "/work-orders?q=bravo",
        "/work-orders/canned-jobs",
        "/work-orders/new",
    ):
        page = client.get(path).get_data(as_text=True)
        assert "Bravo" not in page and "BRAVO-1" not in page


def test_ids_no_row_can_have_are_simply_not_found(owner_client, shop, wo):
    work_order = wo.work_order(shop)
    huge = "99999999999999999999"

    for path in (
        f"/work-orders/{huge}",
        f"/work-orders/jobs/{huge}/edit",
        f"/work-orders/canned-jobs/{huge}",
        f"/work-orders/new?customer_id={huge}",
    ):
        assert owner_client.get(path).status_code == 404, path
    assert owner_client.get(f"/work-orders?technician={huge}").status_code == 200
    assert owner_client.post("/work-orders/new", data={"customer_id": huge}).status_code == 400
    response = owner_client.post(f"/work-orders/{work_order.id}/canned-job", data={"canned_job_id": huge})
    assert response.status_code == 400
