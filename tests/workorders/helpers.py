"""Work orders built through the services in any status, and read back as plain data."""

from __future__ import annotations

from sqlalchemy import select

from saas.core.tenant import Tenant
from saas.customers.models import Asset
from saas.workorders import jobs as work_order_jobs
from saas.workorders import services
from saas.workorders.models import Job, JobLine, Status, WorkOrder, WorkOrderEvent
from tests.factories import Ref
from tests.fixtures.database import shop_session
from tests.fixtures.shops import update_shop

# The shortest legal way from a new work order (estimate) to each status.
PATH_TO = {
    Status.ESTIMATE: [],
    Status.APPROVED: [Status.APPROVED],
    Status.IN_PROGRESS: [Status.APPROVED, Status.IN_PROGRESS],
    Status.WAITING_FOR_PARTS: [Status.APPROVED, Status.IN_PROGRESS, Status.WAITING_FOR_PARTS],
    Status.READY: [Status.APPROVED, Status.IN_PROGRESS, Status.READY],
    Status.INVOICED: [Status.APPROVED, Status.IN_PROGRESS, Status.READY, Status.INVOICED],
    Status.CLOSED: [Status.APPROVED, Status.IN_PROGRESS, Status.READY, Status.INVOICED, Status.CLOSED],
    Status.CANCELLED: [Status.CANCELLED],
}


class WorkOrderFactory:
    """Builds assets, work orders, jobs and lines through the services, committed."""

    def __init__(self, app, factory):
        self.app = app
        self.factory = factory

    def asset(
        self,
        tenant: Ref,
        customer: Ref,
        plate: str = "ABC-123",
        make: str = "Toyota",
        model: str = "Corolla",
        odometer: int | None = None,
    ) -> Ref:
        with shop_session(self.app, tenant.id) as session:
            asset = Asset(customer_id=customer.id, make=make, model=model, year=2019, plate=plate, odometer=odometer)
            session.add(asset)
            session.commit()
            return Ref(asset.id, tenant.id)

    def work_order(
        self,
        tenant: Ref,
        customer: Ref | None = None,
        asset: Ref | None = None,
        technicians: tuple[Ref, ...] = (),
        status: Status = Status.ESTIMATE,
        **details,
    ) -> Ref:
        """A work order of `tenant`, moved along the flow to `status` by the owner."""
        customer = customer or self.factory.customer(tenant, name=details.pop("customer_name", "Jane Customer"))
        owner = self.factory.owner(tenant)
        with shop_session(self.app, tenant.id) as session:
            from saas.auth.models import User

            user = session.get(User, (tenant.id, owner.id))
            work_order = services.create_work_order(
                customer_id=customer.id,
                asset_id=asset.id if asset else None,
                technician_ids=[t.id for t in technicians],
                created_by=user,
                **details,
            )
            for step in PATH_TO[status]:
                if step == Status.INVOICED:
                    services.mark_invoiced(work_order, user)
                else:
                    services.change_status(work_order, step, user)
            session.commit()
            return Ref(work_order.id, tenant.id)

    def job(self, tenant: Ref, work_order: Ref, title: str = "Brakes", lines: tuple[dict, ...] = ()) -> Ref:
        with shop_session(self.app, tenant.id) as session:
            work_order_row = session.scalar(select(WorkOrder).where(WorkOrder.id == work_order.id))
            job = work_order_jobs.add_job(work_order_row, title=title)
            shop = session.get(Tenant, tenant.id)
            for line in lines:
                work_order_jobs.add_line(job, labor_rate=shop.labor_rate, **line)
            session.commit()
            return Ref(job.id, tenant.id)

    def shop_settings(self, tenant: Ref, **settings) -> None:
        update_shop(self.app, tenant.id, **settings)


def read_work_order(app, tenant_id: int, work_order_id: int) -> dict:
    """A work order with its jobs, lines and events, as plain data."""
    with shop_session(app, tenant_id) as session:
        work_order = session.scalar(select(WorkOrder).where(WorkOrder.id == work_order_id))
        jobs = session.scalars(select(Job).where(Job.work_order_id == work_order_id).order_by(Job.id)).all()
        return {
            "number": work_order.number,
            "status": work_order.status,
            "estimate_version": work_order.estimate_version,
            "technicians": sorted(t.user_id for t in work_order.technicians),
            "events": [
                (e.from_status, e.to_status, e.user_id)
                for e in session.scalars(
                    select(WorkOrderEvent)
                    .where(WorkOrderEvent.work_order_id == work_order_id)
                    .order_by(WorkOrderEvent.id)
                )
            ],
            "jobs": [
                {
                    "id": job.id,
                    "title": job.title,
                    "approval": job.approval,
                    "lines": [
                        {
                            "kind": line.kind,
                            "description": line.description,
                            "quantity": line.quantity,
                            "unit_price": line.unit_price,
                            "unit_cost": line.unit_cost,
                            "tax_category": line.tax_category,
                            "part_number": line.part_number,
                        }
                        for line in session.scalars(
                            select(JobLine).where(JobLine.job_id == job.id).order_by(JobLine.position, JobLine.id)
                        )
                    ],
                }
                for job in jobs
            ],
        }


def numbers_of(app, tenant_id: int) -> list[int]:
    """The shop's work order numbers, ascending."""
    with shop_session(app, tenant_id) as session:
        return list(session.scalars(select(WorkOrder.number).order_by(WorkOrder.number)))
