"""Two shops with work orders, jobs and lines, built through the models (the work-order services
are written in parallel), and a client logged in as acme's owner."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from saas.core.extensions import db
from saas.core.sequences import next_number
from saas.core.tenancy import tenant_scope
from saas.core.tenant import Tenant
from saas.customers.models import Asset, Customer
from saas.workorders.models import Approval, Job, JobLine, WorkOrder
from tests.factories import log_in

# (title, [(kind, description, quantity, unit price, tax category), ...])
BRAKES = (
    "Front brake pads",
    [
        ("labor", "Replace front pads", "1.5", "120.00", "labor"),
        ("part", "Brake pad set", "2", "45.99", "parts"),
    ],
)
FILTER = (
    "Cabin air filter",
    [
        ("part", "Cabin filter", "1", "24.95", "parts"),
        ("labor", "Replace cabin filter", "0.3", "120.00", "labor"),
    ],
)
# With acme's rates (labor 8.25 %, parts 7 %), worked out by hand:
BRAKES_TOTAL = Decimal("293.27")  # 180.00 + 91.98 + 14.85 + 6.44
FILTER_TOTAL = Decimal("65.67")  # 24.95 + 36.00 + 1.75 + 2.97


@dataclass(frozen=True)
class WorkOrderRef:
    """Ids of a work order made for a test."""

    id: int
    tenant_id: int
    number: int
    customer_id: int
    job_ids: tuple[int, ...]


def _set_profile(app, tenant_id: int, **values) -> None:
    with app.test_request_context(), tenant_scope(tenant_id):
        tenant = db.session.get(Tenant, tenant_id)
        for key, value in values.items():
            setattr(tenant, key, value)
        db.session.commit()


@pytest.fixture
def shop(factory, app):
    """acme: taxes labor at 8.25 % and parts at 7 %, with a phone and an e-mail address."""
    tenant = factory.tenant("acme", name="Acme Auto")
    _set_profile(
        app,
        tenant.id,
        tax_rate_labor=Decimal("0.08250"),
        tax_rate_parts=Decimal("0.07000"),
        phone="+15550100",
        email="desk@acme-auto.example.com",
    )
    return tenant


@pytest.fixture
def other_shop(factory):
    """bravo: another shop on its own host."""
    return factory.tenant("bravo", name="Bravo Repairs")


@pytest.fixture
def owner_client(factory, shop, shop_client):
    client = shop_client("acme")
    log_in(client, factory.owner(shop).email)
    return client


def create_work_order(
    app,
    tenant,
    *,
    jobs=(BRAKES, FILTER),
    email: str | None = "jane@example.com",
    customer_name: str = "Jane Customer",
    customer_id: int | None = None,
    status: str = "estimate",
    declined: bool = False,
    decided_at=None,
) -> WorkOrderRef:
    """A work order of `tenant` for a (new or given) customer and her 2019 Toyota Corolla."""
    with app.test_request_context(), tenant_scope(tenant.id):
        if customer_id is None:
            customer = Customer(name=customer_name, email=email)
            db.session.add(customer)
            db.session.flush()
            customer_id = customer.id
        asset = Asset(customer_id=customer_id, make="Toyota", model="Corolla", year=2019, plate="ABC-123")
        db.session.add(asset)
        db.session.flush()
        work_order = WorkOrder(
            number=next_number("work_order"), customer_id=customer_id, asset_id=asset.id, status=status
        )
        db.session.add(work_order)
        db.session.flush()
        job_ids = []
        for position, (title, lines) in enumerate(jobs):
            job = Job(work_order_id=work_order.id, title=title, position=position)
            if declined:
                job.approval, job.decided_at = Approval.DECLINED, decided_at
            db.session.add(job)
            db.session.flush()
            job_ids.append(job.id)
            for line_position, (kind, description, quantity, price, tax) in enumerate(lines):
                db.session.add(
                    JobLine(
                        job_id=job.id,
                        kind=kind,
                        description=description,
                        quantity=Decimal(quantity),
                        unit_price=Decimal(price),
                        tax_category=tax,
                        position=line_position,
                    )
                )
        db.session.commit()
        return WorkOrderRef(work_order.id, tenant.id, work_order.number, customer_id, tuple(job_ids))


@pytest.fixture
def work_order(app, shop) -> WorkOrderRef:
    """acme's work order with two jobs (brakes, cabin filter) for Jane, who has an e-mail address."""
    return create_work_order(app, shop)


@pytest.fixture
def sent_link(owner_client, work_order, outbox) -> str:
    """The link acme's owner e-mailed to Jane for `work_order`."""
    response = owner_client.post(f"/work-orders/{work_order.id}/estimate/send")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return outbox.link_in_last_to("jane@example.com")


def read(app, tenant_id: int, query):
    """Run `query` as `tenant_id` and return the scalars (plain values copied out)."""
    with app.test_request_context(), tenant_scope(tenant_id):
        return list(db.session.scalars(query))


def work_order_state(app, ref: WorkOrderRef) -> dict:
    """What a test wants to know about a work order, read fresh from the database."""
    with app.test_request_context(), tenant_scope(ref.tenant_id):
        work_order = db.session.scalar(select(WorkOrder).where(WorkOrder.id == ref.id))
        jobs = db.session.scalars(select(Job).where(Job.work_order_id == ref.id).order_by(Job.position)).all()
        return {
            "status": work_order.status,
            "version": work_order.estimate_version,
            "sent_at": work_order.estimate_sent_at,
            "jobs": [(job.title, job.approval, job.decided_at is not None) for job in jobs],
        }
