"""Where an invoice stands: what credit notes took off it, what is still due, and its status.

The balance due of an invoice is its total, minus what was paid, minus what its credit notes
(not void) took off. `position_of` computes it for one invoice in Python; `balance_due_sql`
is the same rule for queries and filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.money import ZERO
from saas.invoicing.models import Invoice, InvoiceKind, InvoiceStatus


class Standing(StrEnum):
    """An invoice's status as people read it, computed from its amounts and due date."""

    UNPAID = "unpaid"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    OVERDUE = "overdue"
    VOID = "void"
    CREDIT_NOTE = "credit_note"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def css(self) -> str:
        """A tag class of the shared stylesheet with a fitting colour."""
        return {
            Standing.PAID: "status-active",
            Standing.PARTIALLY_PAID: "status-trialing",
            Standing.OVERDUE: "status-past_due",
            Standing.VOID: "status-canceled",
        }.get(self, "")


# An issued invoice with money still due: it takes payments and shows its balance.
PAYABLE = frozenset({Standing.UNPAID, Standing.PARTIALLY_PAID, Standing.OVERDUE})


@dataclass(frozen=True)
class Position:
    """An invoice's money position: credited by credit notes, still due, and its standing."""

    standing: Standing
    credited: Decimal
    balance: Decimal

    @property
    def label(self) -> str:
        return self.standing.label

    @property
    def payable(self) -> bool:
        """An issued invoice (not a credit note, not void) with a balance still due."""
        return self.standing in PAYABLE


def position_of(invoice: Invoice, credited: Decimal = ZERO, now: datetime | None = None) -> Position:
    """Paid, partially paid, unpaid, overdue or void, from amounts and the due date."""
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        standing = Standing.VOID if invoice.status == InvoiceStatus.VOID else Standing.CREDIT_NOTE
        return Position(standing, ZERO, ZERO)
    if invoice.status == InvoiceStatus.VOID:
        return Position(Standing.VOID, ZERO, ZERO)
    balance = invoice.total - invoice.amount_paid - credited
    if balance <= ZERO:
        standing = Standing.PAID
    elif (now or utcnow()) > invoice.due_at:
        standing = Standing.OVERDUE
    elif invoice.amount_paid > ZERO or credited > ZERO:
        standing = Standing.PARTIALLY_PAID
    else:
        standing = Standing.UNPAID
    return Position(standing, credited, balance)


def credited_amounts(invoice_ids) -> dict[int, Decimal]:
    """{invoice id: amount taken off it by its credit notes that are not void} in one query."""
    ids = list(invoice_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Invoice.credited_invoice_id, func.sum(Invoice.total))
        .where(
            Invoice.credited_invoice_id.in_(ids),
            Invoice.kind == InvoiceKind.CREDIT_NOTE,
            Invoice.status == InvoiceStatus.ISSUED,
        )
        .group_by(Invoice.credited_invoice_id)
    )
    return {invoice_id: -total for invoice_id, total in rows}


def current_position(invoice: Invoice, now: datetime | None = None) -> Position:
    """The position of one invoice as stored now (one query for its credit notes)."""
    return position_of(invoice, credited_amounts([invoice.id]).get(invoice.id, ZERO), now)


def credited_sql():
    """SQL for what credit notes (not void) took off each row of `Invoice`, for queries and filters."""
    note = aliased(Invoice)
    return func.coalesce(
        select(func.sum(-note.total))
        .where(
            note.tenant_id == Invoice.tenant_id,
            note.credited_invoice_id == Invoice.id,
            note.kind == InvoiceKind.CREDIT_NOTE,
            note.status == InvoiceStatus.ISSUED,
        )
        .correlate(Invoice)
        .scalar_subquery(),
        ZERO,
    )


def balance_due_sql():
    """SQL for what is still due on each row of `Invoice`: total - paid - credited (meaningful for issued invoices)."""
    return Invoice.total - Invoice.amount_paid - credited_sql()
