"""How work orders plug into the customer's page, history, export: a customer's work, declined jobs."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from saas.core.extensions import db
from saas.core.panels import Panel
from saas.customers import signals as customer_signals
from saas.customers.export import row
from saas.customers.models import Customer
from saas.workorders.estimate import declined_jobs_for_customer
from saas.workorders.models import EstimateApproval, Job, WorkOrder

RECENT_LIMIT = 20


@customer_signals.page_panels.connect
def _work_orders_panel(customer: Customer, **details) -> Panel:
    # count() OVER () gives the total next to the latest rows: one query for both.
    rows = db.session.execute(
        select(WorkOrder, func.count().over())
        .where(WorkOrder.customer_id == customer.id)
        .order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
        .limit(RECENT_LIMIT)
    ).all()
    return Panel(
        "workorders/_customer_work_orders.html",
        {"customer": customer, "work_orders": [r[0] for r in rows], "total": rows[0][1] if rows else 0},
        order=20,
    )


@customer_signals.page_panels.connect
def _declined_work_panel(customer: Customer, **details) -> Panel:
    rows = declined_jobs_for_customer(customer.id, limit=RECENT_LIMIT)
    return Panel("workorders/_customer_declined_work.html", {"declined": rows}, order=40)


@customer_signals.history_asked.connect
def _work_order_history(customer: Customer, **details) -> str | None:
    count = db.session.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.customer_id == customer.id))
    return f"{count} work orders" if count else None


@customer_signals.data_exported.connect
def _work_orders_export(customer: Customer, **details) -> dict:
    work_orders = db.session.scalars(
        select(WorkOrder)
        .options(selectinload(WorkOrder.jobs).selectinload(Job.lines))
        .where(WorkOrder.customer_id == customer.id)
        .order_by(WorkOrder.created_at, WorkOrder.id)
    ).all()
    approvals: dict[int, list[EstimateApproval]] = {}
    if work_orders:
        for approval in db.session.scalars(
            select(EstimateApproval)
            .where(EstimateApproval.work_order_id.in_([wo.id for wo in work_orders]))
            .order_by(EstimateApproval.created_at)
        ):
            approvals.setdefault(approval.work_order_id, []).append(approval)
    return {
        "work_orders": [
            {
                **row(
                    wo,
                    "id",
                    "number",
                    "asset_id",
                    "status",
                    "concern",
                    "diagnosis",
                    "internal_notes",
                    "odometer_in",
                    "promised_at",
                    "created_at",
                    "estimate_sent_at",
                ),
                "jobs": [
                    {
                        **row(job, "id", "title", "approval", "decided_at", "recommended", "notes"),
                        "lines": [
                            row(line, "kind", "description", "part_number", "quantity", "unit_price", "tax_category")
                            for line in job.lines
                        ],
                    }
                    for job in wo.jobs
                ],
                "estimate_approvals": [
                    row(
                        approval,
                        "estimate_version",
                        "signed_name",
                        "ip_address",
                        "user_agent",
                        "approved_total",
                        "declined_total",
                        "decisions",
                        "created_at",
                    )
                    for approval in approvals.get(wo.id, [])
                ],
            }
            for wo in work_orders
        ]
    }


@customer_signals.erasing.connect
def _erase_work_orders(customer: Customer, **details) -> customer_signals.ErasureNote | None:
    """Work orders stay as the shop's repair history, without the notes or signatures that name the person."""
    work_orders = select(WorkOrder.id).where(WorkOrder.customer_id == customer.id)
    count = db.session.execute(
        update(WorkOrder)
        .where(WorkOrder.customer_id == customer.id)
        .values(concern="", diagnosis="", internal_notes="")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(
        update(EstimateApproval)
        .where(EstimateApproval.work_order_id.in_(work_orders))
        .values(signed_name="Erased", ip_address=None, user_agent="")
        .execution_options(synchronize_session=False)
    )
    if not count:
        return None
    return customer_signals.ErasureNote(
        "Work orders",
        erased="Concerns, diagnoses, notes and online signatures",
        kept=f"{count} work orders with their jobs and prices, as the shop's repair history, no longer naming you",
    )
