"""Jobs and their lines on a work order (labor, parts, fees, discounts), and canned jobs copied in.

Every change puts the job back to pending approval and bumps the estimate's version, so an older
approval link stops working (`touch_estimate`). Jobs change only while the work order is editable.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import delete, func, select

from saas.core.extensions import db
from saas.workorders.models import Approval, CannedJob, Job, JobLine, LineKind, TaxCategory, WorkOrder
from saas.workorders.pricing import DEFAULT_TAX_CATEGORY
from saas.workorders.services import WorkOrderError, editable, one_of_this_shop

MAX_QUANTITY = Decimal("9999999.999")
MAX_PRICE = Decimal("9999999999.99")


def touch_estimate(work_order: WorkOrder, job: Job | None = None) -> None:
    """The estimate changed: bump its version (older approval links stop working); `job` needs a new answer."""
    work_order.estimate_version = WorkOrder.estimate_version + 1  # in SQL: safe against a concurrent bump
    if job is not None:
        job.approval = Approval.PENDING
        job.decided_at = None
    db.session.flush()


def _job_work_order(job: Job) -> WorkOrder:
    return editable(db.session.scalar(select(WorkOrder).where(WorkOrder.id == job.work_order_id)))


def add_job(work_order: WorkOrder, *, title: str, notes: str = "", recommended: bool = False) -> Job:
    """Add an empty job at the end of the work order."""
    work_order = editable(work_order)
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
    canned = one_of_this_shop(CannedJob, canned_job_id)
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
