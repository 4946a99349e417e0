"""An estimate as priced for the customer (jobs, lines, tax, totals), and the work they declined.

Amounts always come from the current lines and the shop's tax rates, never from a form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import contains_eager, selectinload

from saas.core.extensions import db
from saas.core.money import ZERO
from saas.core.tenancy import active_tenant
from saas.customers.models import Customer
from saas.workorders.models import Approval, Job, JobLine, WorkOrder
from saas.workorders.pricing import Totals, line_net, tax_rates_of, totals
from saas.workorders.status import LOCKED


@dataclass(frozen=True)
class PricedLine:
    """A job line with its net amount."""

    line: JobLine
    net: Decimal


@dataclass(frozen=True)
class PricedJob:
    """A job, its priced lines and its totals (tax per category)."""

    job: Job
    lines: list[PricedLine]
    totals: Totals

    @property
    def is_pending(self) -> bool:
        return self.job.approval == Approval.PENDING


@dataclass(frozen=True)
class Estimate:
    """A work order as the customer sees it: jobs with lines, prices, tax and totals."""

    work_order: WorkOrder
    jobs: list[PricedJob]
    totals: Totals

    @property
    def pending_jobs(self) -> list[PricedJob]:
        return [priced for priced in self.jobs if priced.is_pending]

    @property
    def read_only(self) -> bool:
        """True when the customer can no longer decide anything through the link."""
        return self.work_order.status in LOCKED or not self.pending_jobs


def _currency() -> str:
    return active_tenant().currency


def totals_of(lines: Iterable[JobLine]) -> Totals:
    """Subtotal, tax per category and total of `lines`, as an invoice would compute them."""
    return totals(lines, tax_rates_of(active_tenant()), _currency())


def jobs_with_lines(work_order_id: int) -> list[Job]:
    """The jobs of a work order in their order, with their lines loaded (two queries)."""
    return list(
        db.session.scalars(
            select(Job)
            .where(Job.work_order_id == work_order_id)
            .options(selectinload(Job.lines))
            .order_by(Job.position, Job.id)
        )
    )


def price_estimate(work_order: WorkOrder, jobs: list[Job] | None = None) -> Estimate:
    """Price every job of `work_order` from its current lines, in the shop's currency and tax rates."""
    jobs = jobs_with_lines(work_order.id) if jobs is None else jobs
    currency = _currency()
    priced = [
        PricedJob(job, [PricedLine(line, line_net(line, currency)) for line in job.lines], totals_of(job.lines))
        for job in jobs
    ]
    return Estimate(work_order, priced, totals_of(line for job in jobs for line in job.lines))


# --- declined work -------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclinedJob:
    """A job the customer declined, with what it would have cost (from its current lines)."""

    job_id: int
    title: str
    decided_at: datetime | None
    amount: Decimal
    work_order_id: int
    work_order_number: int
    work_order_status: str
    customer_id: int
    customer_name: str
    recommended: bool = False


def declined_jobs_query(customer_id: int | None = None) -> Select:
    """Declined jobs, newest decision first, with work order and customer loaded in the same query."""
    query = (
        select(Job)
        .join(WorkOrder, and_(WorkOrder.tenant_id == Job.tenant_id, WorkOrder.id == Job.work_order_id))
        .join(Customer, and_(Customer.tenant_id == WorkOrder.tenant_id, Customer.id == WorkOrder.customer_id))
        .where(Job.approval == Approval.DECLINED)
        .options(
            contains_eager(Job.work_order).contains_eager(WorkOrder.customer),
            selectinload(Job.lines),
        )
        .order_by(Job.decided_at.desc().nulls_last(), Job.id.desc())
    )
    if customer_id is not None:
        query = query.where(WorkOrder.customer_id == customer_id)
    return query


def declined_rows(jobs: Iterable[Job]) -> list[DeclinedJob]:
    """Turn jobs from `declined_jobs_query` into rows with their amounts (incl. tax)."""
    return [
        DeclinedJob(
            job_id=job.id,
            title=job.title,
            decided_at=job.decided_at,
            amount=totals_of(job.lines).total if job.lines else ZERO,
            work_order_id=job.work_order.id,
            work_order_number=job.work_order.number,
            work_order_status=job.work_order.status,
            customer_id=job.work_order.customer.id,
            customer_name=job.work_order.customer.name,
            recommended=job.recommended,
        )
        for job in jobs
    ]


def declined_jobs_for_customer(customer_id: int, limit: int | None = None) -> list[DeclinedJob]:
    """Jobs this customer declined, newest first, for follow-up on the customer page (two queries)."""
    query = declined_jobs_query(customer_id)
    if limit is not None:
        query = query.limit(limit)
    return declined_rows(db.session.scalars(query).unique())
