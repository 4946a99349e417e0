"""Reads for the invoice pages and panels: the list with its filters and search, ready work orders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.money import ZERO
from saas.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from saas.invoicing.standing import Position, balance_due_sql, credited_amounts, position_of
from saas.workorders.models import Status, WorkOrder

# The list's status filter: what a shop owner asks ("who still owes me?").
STATUS_FILTERS = {
    "unpaid": "Unpaid",
    "overdue": "Overdue",
    "paid": "Paid",
    "void": "Void",
    "credit_notes": "Credit notes",
}


def invoice_search(status: str = "", term: str = "", now: datetime | None = None) -> Select:
    """Invoices and credit notes, newest first, filtered by standing and by number or customer."""
    now = now or utcnow()
    query = select(Invoice).order_by(Invoice.issued_at.desc(), Invoice.id.desc())
    open_invoice = (Invoice.kind == InvoiceKind.INVOICE) & (Invoice.status == InvoiceStatus.ISSUED)
    balance = balance_due_sql()
    if status == "unpaid":
        query = query.where(open_invoice, balance > ZERO)
    elif status == "overdue":
        query = query.where(open_invoice, balance > ZERO, Invoice.due_at < now)
    elif status == "paid":
        query = query.where(open_invoice, balance <= ZERO)
    elif status == "void":
        query = query.where(Invoice.status == InvoiceStatus.VOID)
    elif status == "credit_notes":
        query = query.where(Invoice.kind == InvoiceKind.CREDIT_NOTE)
    term = term.strip()
    if term:
        pattern = f"%{term.lower()}%"
        conditions = [func.lower(Invoice.bill_to_name).like(pattern), func.lower(Invoice.bill_to_email).like(pattern)]
        number = re.fullmatch(r"(inv|cn)?[-\s#]*0*(\d{1,9})", term.lower())
        if number:
            prefix, digits = number.groups()
            condition = Invoice.number == int(digits)
            if prefix:
                kind = InvoiceKind.CREDIT_NOTE if prefix == "cn" else InvoiceKind.INVOICE
                condition = condition & (Invoice.kind == kind)
            conditions.append(condition)
        query = query.where(or_(*conditions))
    return query


@dataclass(frozen=True)
class ListedInvoice:
    """A row of a list of invoices: the document and where it stands."""

    invoice: Invoice
    position: Position

    @property
    def number(self) -> str:
        return self.invoice.document_number


def listed(invoices: list[Invoice], now: datetime | None = None) -> list[ListedInvoice]:
    """The page's invoices with their standing (one query for all their credit notes)."""
    credited = credited_amounts(invoice.id for invoice in invoices if invoice.kind == InvoiceKind.INVOICE)
    return [ListedInvoice(invoice, position_of(invoice, credited.get(invoice.id, ZERO), now)) for invoice in invoices]


def ready_to_invoice(limit: int = 10) -> list[WorkOrder]:
    """Work orders marked ready, waiting for their invoice (oldest first)."""
    return list(
        db.session.scalars(
            select(WorkOrder)
            .where(WorkOrder.status == Status.READY)
            .options(selectinload(WorkOrder.customer))
            .order_by(WorkOrder.updated_at, WorkOrder.id)
            .limit(limit)
        )
    )


def invoices_of_work_order(work_order_id: int) -> list[Invoice]:
    """The invoices and credit notes made for a work order, oldest first."""
    return list(
        db.session.scalars(
            select(Invoice).where(Invoice.work_order_id == work_order_id).order_by(Invoice.issued_at, Invoice.id)
        )
    )
