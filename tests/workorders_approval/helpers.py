"""Work orders with two jobs built through the models, with their totals worked out by hand, and read back."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from saas.core.extensions import db
from saas.core.sequences import next_number
from saas.core.tenancy import tenant_scope
from saas.customers.models import Asset, Customer
from saas.workorders.models import Approval, Job, JobLine, WorkOrder

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
