"""The document: what the invoice page, the PDF and the e-mail show of one invoice or credit note."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from saas.core.extensions import db
from saas.core.money import ZERO, format_money
from saas.invoicing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, Payment
from saas.invoicing.standing import Position, position_of
from saas.workorders.models import TaxCategory
from saas.workorders.pricing import TaxBucket, totals

CATEGORY_LABELS = {
    TaxCategory.LABOR: "Labor",
    TaxCategory.PARTS: "Parts",
    TaxCategory.FEES: "Fees",
    TaxCategory.NONE: "Untaxed",
}


def category_label(category: str) -> str:
    """`parts` -> `Parts`."""
    return CATEGORY_LABELS.get(category, category.capitalize())


def rates_of_lines(lines) -> dict[str, Decimal]:
    """The frozen tax rate of each category on a document (one rate per category)."""
    return {line.tax_category: line.tax_rate for line in lines}


@dataclass(frozen=True)
class JobGroup:
    """The invoice lines of one job, with their net sum."""

    title: str
    lines: list[InvoiceLine]
    subtotal: Decimal


@dataclass(frozen=True)
class InvoiceDocument:
    """Everything shown about one invoice or credit note."""

    invoice: Invoice
    shop: object  # the Tenant
    groups: list[JobGroup]
    taxes: list[TaxBucket]
    payments: list[Payment]
    position: Position
    credited_invoice: Invoice | None = None  # for a credit note: the invoice it credits
    credit_notes: list[Invoice] = field(default_factory=list)  # for an invoice: its credit notes

    @property
    def number(self) -> str:
        return self.invoice.document_number

    @property
    def title(self) -> str:
        return self.invoice.document_title

    @property
    def credited_number(self) -> str | None:
        """For a credit note: the number of the invoice it credits."""
        return self.credited_invoice.document_number if self.credited_invoice is not None else None

    @property
    def is_credit_note(self) -> bool:
        return self.invoice.kind == InvoiceKind.CREDIT_NOTE

    @property
    def is_void(self) -> bool:
        return self.invoice.status == InvoiceStatus.VOID

    @property
    def filename(self) -> str:
        return f"{self.number}.pdf"

    def money(self, amount: Decimal | None) -> str:
        """An amount in the invoice's own currency."""
        return format_money(amount, self.invoice.currency)

    def local(self, value: datetime | None, fmt: str = "%d %b %Y") -> str:
        """A timestamp in the shop's timezone, or a dash."""
        if value is None:
            return "—"
        return value.astimezone(ZoneInfo(self.shop.timezone)).strftime(fmt)


def invoice_document(invoice: Invoice, shop, now: datetime | None = None) -> InvoiceDocument:
    """Gather the lines by job, the tax breakdown, payments and related documents of `invoice`."""
    lines = list(invoice.lines)
    groups = [
        JobGroup(title, group, sum((line.net_amount for line in group), ZERO))
        for title, group in ((title, list(rows)) for title, rows in itertools.groupby(lines, lambda li: li.job_title))
    ]
    breakdown = totals(lines, rates_of_lines(lines), invoice.currency)
    credited_invoice = None
    credit_notes: list[Invoice] = []
    if invoice.kind == InvoiceKind.CREDIT_NOTE and invoice.credited_invoice_id:
        credited_invoice = db.session.scalar(select(Invoice).where(Invoice.id == invoice.credited_invoice_id))
    elif invoice.kind == InvoiceKind.INVOICE:
        credit_notes = list(
            db.session.scalars(
                select(Invoice).where(Invoice.credited_invoice_id == invoice.id).order_by(Invoice.number)
            )
        )
    credited = sum(
        (-note.total for note in credit_notes if note.status == InvoiceStatus.ISSUED),
        ZERO,
    )
    return InvoiceDocument(
        invoice=invoice,
        shop=shop,
        groups=groups,
        taxes=breakdown.taxes,
        payments=list(invoice.payments),
        position=position_of(invoice, credited, now),
        credited_invoice=credited_invoice,
        credit_notes=credit_notes,
    )
