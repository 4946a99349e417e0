"""The status flow: every legal move, illegal jumps refused, invoicing's own step, who may move what."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.auth.models import User
from saas.auth.roles import Role
from saas.workorders import services
from saas.workorders.models import Status, WorkOrder
from saas.workorders.status import SYSTEM_ONLY, TRANSITIONS
from tests.factories import log_in
from tests.fixtures.database import shop_session
from tests.workorders.helpers import read_work_order

LEGAL = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets) if b not in SYSTEM_ONLY]
ILLEGAL = [
    (Status.ESTIMATE, Status.IN_PROGRESS),
    (Status.ESTIMATE, Status.READY),
    (Status.APPROVED, Status.READY),
    (Status.WAITING_FOR_PARTS, Status.APPROVED),
    (Status.READY, Status.ESTIMATE),
    (Status.INVOICED, Status.CANCELLED),
    (Status.INVOICED, Status.READY),
    (Status.CLOSED, Status.IN_PROGRESS),
    (Status.CANCELLED, Status.ESTIMATE),
    (Status.CANCELLED, Status.APPROVED),
]


def move(client, work_order_id, status, **extra):
    return client.post(f"/work-orders/{work_order_id}/status", data={"status": status, **extra})


@pytest.mark.parametrize(("start", "target"), LEGAL, ids=[f"{a}->{b}" for a, b in LEGAL])
def test_office_makes_every_legal_move_and_it_is_recorded(owner_client, app, shop, wo, factory, start, target):
    work_order = wo.work_order(shop, status=start)
    before = read_work_order(app, shop.id, work_order.id)

    response = move(owner_client, work_order.id, target)

    assert response.status_code == 302
    after = read_work_order(app, shop.id, work_order.id)
    assert after["status"] == target
    assert after["events"] == before["events"] + [(start.value, target.value, factory.owner(shop).id)]


@pytest.mark.parametrize(("start", "target"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_an_illegal_jump_is_refused_with_409_and_changes_nothing(owner_client, app, shop, wo, start, target):
    work_order = wo.work_order(shop, status=start)
    before = read_work_order(app, shop.id, work_order.id)

    response = move(owner_client, work_order.id, target)

    assert response.status_code == 409
    assert "A work order cannot go from" in response.get_data(as_text=True)
    assert read_work_order(app, shop.id, work_order.id) == before


def test_invoiced_cannot_be_set_from_the_ui(owner_client, app, shop, wo):
    work_order = wo.work_order(shop, status=Status.READY)

    response = move(owner_client, work_order.id, "invoiced")

    assert response.status_code == 409
    assert "when an invoice is made" in response.get_data(as_text=True)
    assert read_work_order(app, shop.id, work_order.id)["status"] == "ready"


def test_unknown_status_is_refused(owner_client, app, shop, wo):
    work_order = wo.work_order(shop)
    assert move(owner_client, work_order.id, "teleported").status_code == 409
    assert move(owner_client, work_order.id, "").status_code == 400
    assert read_work_order(app, shop.id, work_order.id)["status"] == "estimate"


def test_a_move_from_a_stale_page_is_refused(owner_client, app, shop, wo):
    work_order = wo.work_order(shop, status=Status.IN_PROGRESS)

    response = move(owner_client, work_order.id, "ready", from_status="approved")

    assert response.status_code == 409
    assert "reload and try again" in response.get_data(as_text=True)
    assert read_work_order(app, shop.id, work_order.id)["status"] == "in_progress"


def test_mark_invoiced_is_for_invoicing_and_only_from_ready(app, shop, wo, factory):
    ready = wo.work_order(shop, status=Status.READY)
    early = wo.work_order(shop, status=Status.IN_PROGRESS)
    owner = factory.owner(shop)
    with shop_session(app, shop.id) as session:
        user = session.get(User, (shop.id, owner.id))
        services.mark_invoiced(session.scalar(select(WorkOrder).where(WorkOrder.id == ready.id)), user)
        services.mark_invoiced(session.scalar(select(WorkOrder).where(WorkOrder.id == ready.id)), user)  # no-op
        with pytest.raises(services.IllegalTransitionError, match="only a work order that is ready"):
            services.mark_invoiced(session.scalar(select(WorkOrder).where(WorkOrder.id == early.id)), user)
        session.commit()

    invoiced = read_work_order(app, shop.id, ready.id)
    assert invoiced["status"] == "invoiced"
    assert invoiced["events"][-1] == ("ready", "invoiced", owner.id)
    assert [e for e in invoiced["events"] if e[1] == "invoiced"] == [("ready", "invoiced", owner.id)]
    assert read_work_order(app, shop.id, early.id)["status"] == "in_progress"


def test_assigned_technician_moves_their_work_order_through_the_workshop(technician_client, app, shop, wo, technician):
    work_order = wo.work_order(shop, technicians=(technician,), status=Status.APPROVED)

    for target in ("in_progress", "waiting_for_parts", "in_progress", "ready"):
        assert move(technician_client, work_order.id, target).status_code == 302

    record = read_work_order(app, shop.id, work_order.id)
    assert record["status"] == "ready"
    assert [e[2] for e in record["events"][-4:]] == [technician.id] * 4


def test_technician_cannot_move_a_work_order_they_are_not_on(technician_client, app, shop, wo, factory):
    colleague = factory.user(shop, Role.TECHNICIAN)
    work_order = wo.work_order(shop, technicians=(colleague,), status=Status.APPROVED)

    response = move(technician_client, work_order.id, "in_progress")

    assert response.status_code == 403
    assert "Only the technicians assigned" in response.get_data(as_text=True)
    assert read_work_order(app, shop.id, work_order.id)["status"] == "approved"


def test_technician_cannot_make_office_decisions_even_on_their_own_work_order(
    technician_client, app, shop, wo, technician
):
    work_order = wo.work_order(shop, technicians=(technician,))

    assert move(technician_client, work_order.id, "approved").status_code == 403
    assert move(technician_client, work_order.id, "cancelled").status_code == 403
    assert read_work_order(app, shop.id, work_order.id)["status"] == "estimate"


def test_service_advisor_moves_any_work_order(factory, shop, wo, app, shop_client):
    advisor = factory.user(shop, Role.SERVICE_ADVISOR)
    client = shop_client("acme")
    log_in(client, advisor.email)
    work_order = wo.work_order(shop)

    assert move(client, work_order.id, "approved").status_code == 302
    assert read_work_order(app, shop.id, work_order.id)["status"] == "approved"


def test_work_order_page_shows_the_timeline_with_who_and_the_moves_allowed(owner_client, shop, wo, factory):
    work_order = wo.work_order(shop, status=Status.IN_PROGRESS)
    move(owner_client, work_order.id, "waiting_for_parts", note="Brake kit on order")

    page = owner_client.get(f"/work-orders/{work_order.id}").get_data(as_text=True)

    assert "In progress → Waiting for parts" in page and "Brake kit on order" in page
    assert "Estimate → Approved" in page and "Work order opened" in page
    assert f"Owner {shop.subdomain}" in page
    assert 'value="in_progress"' in page and 'value="ready"' in page and 'value="cancelled"' in page
    assert 'value="invoiced"' not in page
