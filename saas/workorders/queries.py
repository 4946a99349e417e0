"""Reads for the work order pages: one work order with all it shows, the list and its search, the
job board, the choices of the forms, the timeline. Each loads in a fixed number of queries."""

from __future__ import annotations

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from saas.auth.models import User
from saas.core.extensions import db
from saas.customers.models import Asset, Customer
from saas.workorders import status as flow
from saas.workorders.models import CannedJob, Job, Status, WorkOrder, WorkOrderEvent, WorkOrderTechnician


def active_staff() -> list[User]:
    """Everyone who can be assigned to a work order, by name."""
    return list(db.session.scalars(select(User).where(User.is_active_account.is_(True)).order_by(User.name, User.id)))


def events_of(work_order: WorkOrder) -> list[WorkOrderEvent]:
    """The work order's timeline, oldest first, with who did each step."""
    return list(
        db.session.scalars(
            select(WorkOrderEvent)
            .where(WorkOrderEvent.work_order_id == work_order.id)
            .options(joinedload(WorkOrderEvent.user))
            .order_by(WorkOrderEvent.created_at, WorkOrderEvent.id)
        )
    )


def load_for_page(work_order_id: int) -> WorkOrder | None:
    """A work order with everything its page shows, in a fixed number of queries."""
    return db.session.scalar(
        select(WorkOrder)
        .where(WorkOrder.id == work_order_id)
        .options(
            joinedload(WorkOrder.customer),
            joinedload(WorkOrder.asset),
            selectinload(WorkOrder.jobs).selectinload(Job.lines),
            selectinload(WorkOrder.technicians).joinedload(WorkOrderTechnician.user),
        )
    )


def _card_options():
    return (
        joinedload(WorkOrder.customer),
        joinedload(WorkOrder.asset),
        selectinload(WorkOrder.technicians).joinedload(WorkOrderTechnician.user),
    )


def _assigned_to(user_id: int):
    return exists().where(WorkOrderTechnician.work_order_id == WorkOrder.id, WorkOrderTechnician.user_id == user_id)


def work_order_search(*, status: str | None = None, technician_id: int | None = None, term: str = "") -> Select:
    """Work orders, newest first, filtered by status (or "open"), technician and a search term.

    The term matches the number, the customer's name or the asset's plate.
    """
    query = (
        select(WorkOrder)
        .join(Customer, Customer.id == WorkOrder.customer_id)
        .outerjoin(Asset, Asset.id == WorkOrder.asset_id)
        .options(*_card_options())
        .order_by(WorkOrder.number.desc())
    )
    if status == "open":
        query = query.where(WorkOrder.status.in_([s.value for s in flow.OPEN]))
    elif status:
        query = query.where(WorkOrder.status == status)
    if technician_id:
        query = query.where(_assigned_to(technician_id))
    term = (term or "").strip()
    if term:
        pattern = f"%{term.lower()}%"
        matches = [func.lower(Customer.name).like(pattern), func.lower(Asset.plate).like(pattern)]
        digits = term.lstrip("#")
        if digits.isdigit() and len(digits) < 10:
            matches.append(WorkOrder.number == int(digits))
        query = query.where(or_(*matches))
    return query


def board(technician_id: int | None = None) -> dict[Status, list[WorkOrder]]:
    """The open work orders by column (promised first), in a fixed number of queries."""
    query = (
        select(WorkOrder)
        .where(WorkOrder.status.in_([s.value for s in flow.BOARD_COLUMNS]))
        .options(*_card_options())
        .order_by(WorkOrder.promised_at.asc().nulls_last(), WorkOrder.number)
    )
    if technician_id:
        query = query.where(_assigned_to(technician_id))
    columns: dict[Status, list[WorkOrder]] = {column: [] for column in flow.BOARD_COLUMNS}
    for work_order in db.session.scalars(query).unique():
        columns[Status(work_order.status)].append(work_order)
    return columns


def customer_choices() -> list[Customer]:
    """Customers for the work order form, by name (anonymized ones left out)."""
    return list(
        db.session.scalars(
            select(Customer).where(Customer.anonymized_at.is_(None)).order_by(Customer.name, Customer.id)
        )
    )


def asset_choices(customer_id: int | None = None) -> list[Asset]:
    """Assets for the work order form, with their customer loaded; one customer's if given."""
    query = select(Asset).join(Customer, Customer.id == Asset.customer_id).options(joinedload(Asset.customer))
    if customer_id:
        query = query.where(Asset.customer_id == customer_id)
    return list(db.session.scalars(query.order_by(Customer.name, Asset.id)).unique())


def canned_job_choices() -> list[CannedJob]:
    """Canned jobs by title."""
    return list(db.session.scalars(select(CannedJob).order_by(CannedJob.title)))
