"""Rules for work orders: who may do what, creation and numbering, details, the status flow.

Jobs and lines are in `jobs.py`, reads for the pages in `queries.py`. Services flush and never
commit (the request layer commits once). Each refusal raises a `WorkOrderError` whose message is
safe to show and whose `status` says how to answer (400 bad input, 403 not yours to change, 409 not
possible in the work order's state).

Used by other features:
* `mark_invoiced(work_order, user)` — invoicing, when an invoice is made for a work order;
* `reopen_after_void(work_order, user, note)` — invoicing, when that invoice is voided;
* `saas.workorders.jobs.add_job(...)` — inspections, for what they find;
* `saas.workorders.pricing.work_order_totals(work_order, shop, approved_only=...)` — the money.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from saas.auth.models import User
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.sequences import next_number
from saas.core.tenancy import is_valid_id
from saas.customers.models import Asset, Customer
from saas.workorders import status as flow
from saas.workorders.models import (
    Status,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderTechnician,
)


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


def one_of_this_shop(model, ident) -> object | None:
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


def _lock(work_order: WorkOrder) -> WorkOrder:
    """Lock the work order's row until commit and refresh it (two people, one work order)."""
    db.session.flush()
    return db.session.scalar(
        select(WorkOrder)
        .where(WorkOrder.id == work_order.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def is_editable(work_order: WorkOrder) -> bool:
    """Jobs, lines and details change only before invoicing (and not when cancelled)."""
    return work_order.status not in flow.LOCKED


def editable(work_order: WorkOrder) -> WorkOrder:
    work_order = _lock(work_order)
    if not is_editable(work_order):
        raise IllegalTransitionError(
            f"Work order #{work_order.number} is “{work_order.status_label}”: its jobs and details can no longer change."
        )
    return work_order


# --- creating and editing --------------------------------------------------------------------


def _customer_and_asset(customer_id, asset_id) -> tuple[Customer, Asset | None]:
    customer = one_of_this_shop(Customer, customer_id)
    if customer is None:
        raise WorkOrderError("Pick one of this shop's customers.")
    asset = None
    if asset_id not in (None, "", 0):
        asset = one_of_this_shop(Asset, asset_id)
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
    work_order = editable(work_order)
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
