"""How invoicing plugs into the pages, history and export of customers and work orders."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from saas.core.extensions import db
from saas.core.panels import Panel
from saas.customers import signals as customer_signals
from saas.customers.export import row
from saas.customers.models import Customer
from saas.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from saas.invoicing.queries import invoices_of_work_order, listed
from saas.invoicing.standing import balance_due_sql
from saas.workorders import signals as work_order_signals
from saas.workorders.models import WorkOrder

RECENT_LIMIT = 20


@customer_signals.page_panels.connect
def _invoices_panel(customer: Customer, user, **details) -> Panel | None:
    if not user.can("invoices.view"):
        return None
    rows = db.session.execute(
        select(Invoice, func.count().over())
        .where(Invoice.customer_id == customer.id)
        .order_by(Invoice.issued_at.desc(), Invoice.id.desc())
        .limit(RECENT_LIMIT)
    ).all()
    invoices = listed([r[0] for r in rows])
    return Panel("invoicing/_customer_invoices.html", {"rows": invoices, "total": rows[0][1] if rows else 0}, order=30)


@customer_signals.page_panels.connect
def _balance_panel(customer: Customer, user, **details) -> Panel | None:
    """What the customer owes: the balance due of their issued invoices (credit notes taken off)."""
    if not user.can("invoices.view"):
        return None
    balance = db.session.scalar(
        select(func.coalesce(func.sum(balance_due_sql()), 0)).where(
            Invoice.customer_id == customer.id,
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status == InvoiceStatus.ISSUED,
        )
    )
    return Panel("invoicing/_customer_balance.html", {"balance": Decimal(balance)}, order=10, place="aside")


@customer_signals.history_asked.connect
def _invoice_history(customer: Customer, **details) -> str | None:
    count = db.session.scalar(select(func.count()).select_from(Invoice).where(Invoice.customer_id == customer.id))
    return f"{count} invoices" if count else None


@customer_signals.data_exported.connect
def _invoices_export(customer: Customer, **details) -> dict:
    invoices = db.session.scalars(
        select(Invoice)
        .options(selectinload(Invoice.lines), selectinload(Invoice.payments))
        .where(Invoice.customer_id == customer.id)
        .order_by(Invoice.issued_at, Invoice.id)
    ).all()
    return {
        "invoices": [
            {
                **row(
                    invoice,
                    "id",
                    "kind",
                    "number",
                    "status",
                    "work_order_id",
                    "credited_invoice_id",
                    "currency",
                    "bill_to_name",
                    "bill_to_email",
                    "bill_to_address",
                    "subtotal",
                    "tax_total",
                    "total",
                    "amount_paid",
                    "issued_at",
                    "due_at",
                    "voided_at",
                    "void_reason",
                ),
                "lines": [
                    row(line, "job_title", "kind", "description", "quantity", "unit_price", "tax_rate", "net_amount")
                    for line in invoice.lines
                ],
            }
            for invoice in invoices
        ],
        "payments": [
            {
                **row(payment, "id", "invoice_id", "amount", "method", "reference", "received_at", "note"),
                "invoice_number": invoice.number,
                "currency": invoice.currency,
            }
            for invoice in invoices
            for payment in invoice.payments
        ],
    }


@work_order_signals.page_panels.connect
def _work_order_invoices_panel(work_order: WorkOrder, user, **details) -> Panel | None:
    if not user.can("invoices.view"):
        return None
    return Panel(
        "invoicing/_work_order_invoices.html",
        {"work_order": work_order, "invoices": invoices_of_work_order(work_order.id)},
        order=10,
    )


INVOICE_RETENTION_NOTE = "kept as issued (with the name and address printed on them) for as long as tax law requires"


@customer_signals.erasing.connect
def _keep_invoices(customer: Customer, **details) -> customer_signals.ErasureNote | None:
    """Issued invoices and credit notes cannot be changed or deleted: tax law keeps them as they were issued."""
    count = db.session.scalar(select(func.count()).select_from(Invoice).where(Invoice.customer_id == customer.id))
    if not count:
        return None
    return customer_signals.ErasureNote("Invoices", kept=f"{count} invoices and credit notes {INVOICE_RETENTION_NOTE}")
