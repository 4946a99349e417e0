"""Rules for work orders: creation and numbering, the status flow, jobs and their lines.

Services flush and never commit; the view commits once. Each refusal raises a
`WorkOrderError` whose message is safe to show and whose `status` says how to answer
(400 bad input, 403 not yours to change, 409 not possible in the work order's state).

Used by other features:
* `mark_invoiced(work_order, user)` — invoicing, when an invoice is made for a work order;
* `reopen_after_void(work_order, user, note)` — invoicing, when that invoice is voided;
* `saas.workorders.pricing.work_order_totals(work_order, shop, approved_only=...)` — the money;
* `touch_estimate(work_order)` — anything that changes what an estimate says.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import Select, delete, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from saas.auth.models import User
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.sequences import next_number
from saas.core.tenancy import is_valid_id
from saas.customers.models import Asset, Customer
from saas.workorders import status as flow
from saas.workorders.models import (
    Approval,
    CannedJob,
    Job,
    JobLine,
    LineKind,
    Status,
    TaxCategory,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderTechnician,
)
from saas.workorders.pricing import DEFAULT_TAX_CATEGORY

MAX_QUANTITY = Decimal("9999999.999")
MAX_PRICE = Decimal("9999999999.99")


class WorkOrderError(ServiceError):
    """A rule about work orders was broken; the message is safe to show."""


class NotAllowedError(WorkOrderError):
    """The user may not do this to this work order."""

    status = 403


class IllegalTransitionError(WorkOrderError):
    """The work order's state does not allow this (a status jump, a change after invoicing)."""

    status = 409


# --- who may do what -------------------------------------------------------------------------


def is_office(user) -> bool:
    """Office roles (owner, manager, service advisor) run every work order."""
    return user.can("workorders.edit")


def is_assigned(user, work_order: WorkOrder) -> bool:
    """True if `user` is one of the work order's technicians (loaded with the page or the board)."""
    return any(row.user_id == user.id for row in work_order.technicians)


def may_change_status(user, work_order: WorkOrder) -> bool:
    """Office roles may move any work order; technicians only those assigned to them."""
    return user.can("workorders.update_status") and (is_office(user) or is_assigned(user, work_order))


def status_targets(user, work_order: WorkOrder) -> list[Status]:
    """The statuses `user` may move `work_order` to with a button (none when they may not move it)."""
    if not may_change_status(user, work_order):
        return []
    return flow.ui_targets(work_order.status, office=is_office(user))


# --- loading ---------------------------------------------------------------------------------


def _one(model, ident) -> object | None:
    """A row of the current shop by id, or None (ids from forms are never trusted)."""
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        return None
    if not is_valid_id(ident):
        return None
    return db.session.scalar(select(model).where(model.id == ident))


def staff_members(user_ids: Iterable[int]) -> list[User]:
    """The current shop's active staff with these ids; refuses an id that is not one of them."""
    ids = {int(user_id) for user_id in user_ids or ()}
    if not ids:
        return []
    if not all(is_valid_id(user_id) for user_id in ids):
        raise WorkOrderError("Pick technicians from this shop's active staff.")
    users = db.session.scalars(select(User).where(User.id.in_(ids), User.is_active_account.is_(True))).all()
    if len(users) != len(ids):
        raise WorkOrderError("Pick technicians from this shop's active staff.")
    return list(users)


def active_staff() -> list[User]:
    """Everyone who can be assigned to a work order, by name."""
    return list(db.session.scalars(select(User).where(User.is_active_account.is_(True)).order_by(User.name, User.id)))


def _lock(work_order: WorkOrder) -> WorkOrder:
    """Lock the work order's row until commit and refresh it (two people, one work order)."""
    db.session.flush()
    return db.session.scalar(
        select(WorkOrder)
        .where(WorkOrder.id == work_order.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


# --- creating and editing --------------------------------------------------------------------


def _customer_and_asset(customer_id, asset_id) -> tuple[Customer, Asset | None]:
    customer = _one(Customer, customer_id)
    if customer is None:
        raise WorkOrderError("Pick one of this shop's customers.")
    asset = None
    if asset_id not in (None, "", 0):
        asset = _one(Asset, asset_id)
        if asset is None or asset.customer_id != customer.id:
            raise WorkOrderError("Pick a vehicle or device of this customer.")
    return customer, asset


def _record_odometer(asset: Asset | None, odometer_in: int | None) -> None:
    """The asset keeps its latest reading; an older visit's lower reading does not roll it back."""
    if asset is not None and odometer_in is not None and (asset.odometer is None or odometer_in >= asset.odometer):
        asset.odometer = odometer_in


def _set_technicians(work_order: WorkOrder, users: list[User]) -> None:
    wanted = {user.id for user in users}
    current = db.session.scalars(
        select(WorkOrderTechnician).where(WorkOrderTechnician.work_order_id == work_order.id)
    ).all()
    for row in current:
        if row.user_id not in wanted:
            db.session.delete(row)
    for user_id in sorted(wanted - {row.user_id for row in current}):
        db.session.add(WorkOrderTechnician(work_order_id=work_order.id, user_id=user_id))


def create_work_order(
    *,
    customer_id: int,
    asset_id: int | None = None,
    concern: str = "",
    diagnosis: str = "",
    internal_notes: str = "",
    odometer_in: int | None = None,
    technician_ids: Iterable[int] = (),
    promised_at: datetime | None = None,
    created_by: User | None = None,
) -> WorkOrder:
    """Open a work order (status estimate) for a customer's asset; takes the next number.

    Everything is checked before the number is taken; the number is given back if the
    transaction rolls back, so numbers stay gapless.
    """
    customer, asset = _customer_and_asset(customer_id, asset_id)
    technicians = staff_members(technician_ids)
    work_order = WorkOrder(
        number=next_number("work_order"),
        customer_id=customer.id,
        asset_id=asset.id if asset else None,
        status=Status.ESTIMATE,
        concern=(concern or "").strip(),
        diagnosis=(diagnosis or "").strip(),
        internal_notes=(internal_notes or "").strip(),
        odometer_in=odometer_in,
        promised_at=promised_at,
        created_by_id=created_by.id if created_by else None,
        estimate_version=1,
    )
    db.session.add(work_order)
    db.session.flush()
    _set_technicians(work_order, technicians)
    _record_odometer(asset, odometer_in)
    db.session.add(
        WorkOrderEvent(
            work_order_id=work_order.id,
            from_status=None,
            to_status=Status.ESTIMATE,
            user_id=created_by.id if created_by else None,
            note="Work order opened",
        )
    )
    db.session.flush()
    return work_order


def update_work_order(
    work_order: WorkOrder,
    *,
    asset_id: int | None,
    concern: str,
    diagnosis: str,
    internal_notes: str,
    odometer_in: int | None,
    technician_ids: Iterable[int],
    promised_at: datetime | None,
) -> WorkOrder:
    """Change a work order's details (not its customer); refused once invoiced, closed or cancelled."""
    work_order = _editable(work_order)
    _, asset = _customer_and_asset(work_order.customer_id, asset_id)
    technicians = staff_members(technician_ids)
    work_order.asset_id = asset.id if asset else None
    work_order.concern = (concern or "").strip()
    work_order.diagnosis = (diagnosis or "").strip()
    work_order.internal_notes = (internal_notes or "").strip()
    work_order.odometer_in = odometer_in
    work_order.promised_at = promised_at
    _set_technicians(work_order, technicians)
    _record_odometer(asset, odometer_in)
    db.session.flush()
    return work_order


# --- the status flow -------------------------------------------------------------------------


def _move(work_order: WorkOrder, to_status: Status, user: User | None, note: str = "") -> WorkOrder:
    """Set the status and record who did it, when (no checks: callers check)."""
    db.session.add(
        WorkOrderEvent(
            work_order_id=work_order.id,
            from_status=work_order.status,
            to_status=to_status,
            user_id=user.id if user else None,
            note=(note or "").strip()[:2000],
        )
    )
    work_order.status = to_status
    db.session.flush()
    return work_order


def change_status(
    work_order: WorkOrder, to_status: str, user: User, note: str = "", expected_from: str | None = None
) -> WorkOrder:
    """Move a work order along the flow (`status.TRANSITIONS`) as `user`, with an event.

    Refuses (nothing changes): an unknown or illegal move, `invoiced` (invoicing's own call),
    a technician not assigned to the work order, a technician's office-only move, and a move
    made from a stale page (`expected_from` is not the current status any more).
    """
    try:
        target = Status(to_status)
    except ValueError:
        raise IllegalTransitionError("That is not a status a work order can have.") from None
    if target in flow.SYSTEM_ONLY:
        raise IllegalTransitionError("A work order becomes invoiced when an invoice is made for it.")
    if not may_change_status(user, work_order):
        raise NotAllowedError("Only the technicians assigned to this work order and the office can change its status.")
    if not is_office(user) and target not in flow.TECHNICIAN_TARGETS:
        raise NotAllowedError(f"Only the office can set a work order to “{target.label}”.")
    work_order = _lock(work_order)
    current = Status(work_order.status)
    if expected_from and expected_from != current:
        raise IllegalTransitionError(
            f"Work order #{work_order.number} is “{current.label}” by now; reload and try again."
        )
    if not flow.is_legal(current, target):
        raise IllegalTransitionError(f"A work order cannot go from “{current.label}” to “{target.label}”.")
    return _move(work_order, target, user, note)


def mark_invoiced(work_order: WorkOrder, user: User | None) -> WorkOrder:
    """For invoicing: the work order has been invoiced (legal from `ready`; a no-op if already invoiced).

    Raises `IllegalTransitionError` from any other state; the caller should then not invoice.
    """
    work_order = _lock(work_order)
    if work_order.status == Status.INVOICED:
        return work_order
    if not flow.is_legal(work_order.status, Status.INVOICED):
        raise IllegalTransitionError(
            f"Work order #{work_order.number} is “{work_order.status_label}”: "
            "only a work order that is ready can be invoiced."
        )
    return _move(work_order, Status.INVOICED, user)


def reopen_after_void(work_order: WorkOrder, user: User | None, note: str) -> WorkOrder:
    """For invoicing: the work order's invoice was voided; it goes back to ready, to be corrected and invoiced again.

    This is the one step back from `invoiced` (`status.REOPEN_AFTER_VOID`); a no-op for a work
    order that is not invoiced (e.g. closed meanwhile).
    """
    work_order = _lock(work_order)
    if work_order.status != flow.REOPEN_AFTER_VOID[0]:
        return work_order
    return _move(work_order, flow.REOPEN_AFTER_VOID[1], user, note)


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


# --- jobs and lines --------------------------------------------------------------------------


def is_editable(work_order: WorkOrder) -> bool:
    """Jobs, lines and details change only before invoicing (and not when cancelled)."""
    return work_order.status not in flow.LOCKED


def _editable(work_order: WorkOrder) -> WorkOrder:
    work_order = _lock(work_order)
    if not is_editable(work_order):
        raise IllegalTransitionError(
            f"Work order #{work_order.number} is “{work_order.status_label}”: its jobs and details can no longer change."
        )
    return work_order


def touch_estimate(work_order: WorkOrder, job: Job | None = None) -> None:
    """The estimate changed: bump its version (older approval links stop working); `job` needs a new answer."""
    work_order.estimate_version = WorkOrder.estimate_version + 1  # in SQL: safe against a concurrent bump
    if job is not None:
        job.approval = Approval.PENDING
        job.decided_at = None
    db.session.flush()


def _job_work_order(job: Job) -> WorkOrder:
    return _editable(db.session.scalar(select(WorkOrder).where(WorkOrder.id == job.work_order_id)))


def add_job(work_order: WorkOrder, *, title: str, notes: str = "", recommended: bool = False) -> Job:
    """Add an empty job at the end of the work order."""
    work_order = _editable(work_order)
    title = (title or "").strip()
    if not title:
        raise WorkOrderError("Give the job a title.")
    position = db.session.scalar(
        select(func.coalesce(func.max(Job.position), -1) + 1).where(Job.work_order_id == work_order.id)
    )
    job = Job(
        work_order_id=work_order.id,
        title=title[:200],
        notes=(notes or "").strip(),
        recommended=bool(recommended),
        position=position,
        approval=Approval.PENDING,
    )
    db.session.add(job)
    db.session.flush()
    touch_estimate(work_order, job)
    return job


def update_job(job: Job, *, title: str, notes: str = "", recommended: bool = False) -> Job:
    """Rename a job or change its notes; it goes back to pending approval."""
    work_order = _job_work_order(job)
    title = (title or "").strip()
    if not title:
        raise WorkOrderError("Give the job a title.")
    job.title = title[:200]
    job.notes = (notes or "").strip()
    job.recommended = bool(recommended)
    touch_estimate(work_order, job)
    return job


def delete_job(job: Job) -> None:
    """Remove a job and its lines."""
    work_order = _job_work_order(job)
    db.session.execute(delete(JobLine).where(JobLine.job_id == job.id))
    db.session.delete(job)
    touch_estimate(work_order)


def _decimal(value, what: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise WorkOrderError(f"{what} must be a number.") from None
    if not number.is_finite():
        raise WorkOrderError(f"{what} must be a number.")
    return number


def line_values(
    *,
    kind: str,
    description: str,
    quantity=None,
    unit_price=None,
    unit_cost=None,
    part_number: str | None = None,
    tax_category: str | None = None,
    labor_rate: Decimal | None = None,
) -> dict:
    """Check and normalize what a job line (or canned job line) says; returns the column values.

    Labor: quantity is hours, the rate defaults to `labor_rate`. Discount: an amount typed as
    positive is stored negative. The tax category defaults from the kind.
    """
    try:
        kind = LineKind(kind)
    except ValueError:
        raise WorkOrderError("Pick labor, part, fee or discount.") from None
    description = (description or "").strip()
    if not description:
        raise WorkOrderError("Describe the line.")
    if len(description) > 200:
        raise WorkOrderError("Keep the description under 200 characters.")
    quantity = _decimal(quantity, "Hours" if kind == LineKind.LABOR else "Quantity")
    quantity = Decimal("1") if quantity is None else quantity
    if quantity <= 0 or quantity > MAX_QUANTITY:
        raise WorkOrderError(f"{'Hours' if kind == LineKind.LABOR else 'Quantity'} must be more than 0.")
    price = _decimal(unit_price, "Rate" if kind == LineKind.LABOR else "Price")
    if price is None and kind == LineKind.LABOR and labor_rate is not None:
        price = Decimal(labor_rate)
    if price is None:
        raise WorkOrderError("Enter an amount." if kind == LineKind.DISCOUNT else "Enter a price.")
    if kind == LineKind.DISCOUNT:
        if price == 0:
            raise WorkOrderError("A discount needs an amount.")
        price = -abs(price)
    elif price < 0:
        raise WorkOrderError("Prices cannot be negative; add a discount line instead.")
    if abs(price) > MAX_PRICE:
        raise WorkOrderError("That price is too large.")
    cost = _decimal(unit_cost, "Cost")
    if cost is not None and not (0 <= cost <= MAX_PRICE):
        raise WorkOrderError("Cost must be 0 or more.")
    if tax_category in (None, ""):
        tax_category = DEFAULT_TAX_CATEGORY[kind]
    else:
        try:
            tax_category = TaxCategory(tax_category)
        except ValueError:
            raise WorkOrderError("Pick a tax category.") from None
    part_number = (part_number or "").strip() or None
    if part_number and len(part_number) > 60:
        raise WorkOrderError("Keep the part number under 60 characters.")
    return {
        "kind": kind.value,
        "description": description,
        "part_number": part_number,
        "quantity": quantity.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP),
        "unit_price": price.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        "unit_cost": None if cost is None else cost.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        "tax_category": tax_category.value,
    }


def add_line(job: Job, *, labor_rate: Decimal | None = None, **values) -> JobLine:
    """Add a line to a job (see `line_values`); the job goes back to pending approval."""
    work_order = _job_work_order(job)
    checked = line_values(labor_rate=labor_rate, **values)
    position = db.session.scalar(
        select(func.coalesce(func.max(JobLine.position), -1) + 1).where(JobLine.job_id == job.id)
    )
    line = JobLine(job_id=job.id, position=position, **checked)
    db.session.add(line)
    db.session.flush()
    touch_estimate(work_order, job)
    return line


def update_line(line: JobLine, *, labor_rate: Decimal | None = None, **values) -> JobLine:
    """Change a line; its job goes back to pending approval."""
    job = db.session.scalar(select(Job).where(Job.id == line.job_id))
    work_order = _job_work_order(job)
    for key, value in line_values(labor_rate=labor_rate, **values).items():
        setattr(line, key, value)
    touch_estimate(work_order, job)
    return line


def delete_line(line: JobLine) -> None:
    """Remove a line; its job goes back to pending approval."""
    job = db.session.scalar(select(Job).where(Job.id == line.job_id))
    work_order = _job_work_order(job)
    db.session.delete(line)
    touch_estimate(work_order, job)


def add_canned_job(work_order: WorkOrder, canned_job_id) -> Job:
    """Copy a canned job (by id, re-loaded in this shop) into the work order as a new job with its lines."""
    canned = _one(CannedJob, canned_job_id)
    if canned is None:
        raise WorkOrderError("Pick one of this shop's canned jobs.")
    job = add_job(work_order, title=canned.title, notes=canned.description)
    for position, template in enumerate(canned.lines):
        db.session.add(
            JobLine(
                job_id=job.id,
                position=position,
                kind=template.kind,
                description=template.description,
                part_number=template.part_number,
                quantity=template.quantity,
                unit_price=template.unit_price,
                unit_cost=template.unit_cost,
                tax_category=template.tax_category,
            )
        )
    db.session.flush()
    return job


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


# --- lists and the board ---------------------------------------------------------------------


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
