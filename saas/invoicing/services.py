"""Rules for invoices, credit notes and payments.

An issued invoice never changes: its number, bill-to, lines and totals are a snapshot of the
moment it was issued. What may change afterwards is what happens *to* it: payments add to
`amount_paid`, a void marks it void (number kept), a credit note (its own document, own number
series) takes money off it. A `before_flush` guard refuses anything else, whoever tries.

Numbers are gapless per shop and kind: `saas.core.sequences.next_number` locks the shop's counter
row until the transaction ends. Rows whose totals a change depends on (the work order being
invoiced, the invoice being paid, voided or credited) are locked with `SELECT ... FOR UPDATE`
first, so two requests at the same moment are serialized instead of both passing a check.

Services flush and never commit; the view commits once.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import Select, event, func, inspect, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.mail import Attachment, send_mail
from saas.core.money import ZERO, format_money, minor_unit, round_money
from saas.core.sequences import next_number
from saas.customers.models import Customer
from saas.invoicing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, Payment, PaymentMethod
from saas.workorders import services as work_orders
from saas.workorders.models import Approval, Job, LineKind, Status, TaxCategory, WorkOrder
from saas.workorders.pricing import TaxBucket, line_net, tax_rates_of, totals


class InvoicingError(ServiceError):
    """A request the invoicing rules refuse; the message is safe to show."""


class InvoiceConflictError(InvoicingError):
    """The document is not in a state that allows this (already invoiced, void, paid...)."""

    status = 409


class ImmutableInvoiceError(InvoiceConflictError):
    """Something tried to change an issued invoice, its lines or its payments."""


# --- where an invoice stands ---------------------------------------------------------------


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


# The list's status filter: what a shop owner asks ("who still owes me?").
STATUS_FILTERS = {
    "unpaid": "Unpaid",
    "overdue": "Overdue",
    "paid": "Paid",
    "void": "Void",
    "credit_notes": "Credit notes",
}


@dataclass(frozen=True)
class Position:
    """An invoice's money position: credited by credit notes, still due, and its standing."""

    standing: Standing
    credited: Decimal
    balance: Decimal

    @property
    def label(self) -> str:
        return self.standing.label


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
    """A row of the invoices list."""

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


# --- the document: what the invoice page, the PDF and the e-mail show ------------------------


CATEGORY_LABELS = {
    TaxCategory.LABOR: "Labor",
    TaxCategory.PARTS: "Parts",
    TaxCategory.FEES: "Fees",
    TaxCategory.NONE: "Untaxed",
}


def category_label(category: str) -> str:
    """`parts` -> `Parts`."""
    return CATEGORY_LABELS.get(category, category.capitalize())


def percent(rate: Decimal) -> str:
    """0.08250 -> `8.25 %`."""
    value = (Decimal(rate) * 100).quantize(Decimal("0.001")).normalize()
    return f"{value:f} %"


def quantity_text(quantity: Decimal) -> str:
    """1.500 -> `1.5`, 2.000 -> `2`."""
    value = Decimal(quantity).normalize()
    return f"{value:f}"


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
        """A timestamp in the shop's timezone."""
        return local_time(value, self.shop.timezone, fmt)


def local_time(value: datetime | None, timezone: str, fmt: str = "%d %b %Y") -> str:
    """`value` shown in `timezone`, or a dash."""
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(timezone)).strftime(fmt)


def rates_of_lines(lines) -> dict[str, Decimal]:
    """The frozen tax rate of each category on a document (one rate per category)."""
    return {line.tax_category: line.tax_rate for line in lines}


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


# --- issuing ------------------------------------------------------------------------------------


def due_date(issued_at: datetime, shop) -> datetime:
    """The end of the day, in the shop's timezone, `invoice_due_days` after `issued_at`."""
    zone = ZoneInfo(shop.timezone)
    day = issued_at.astimezone(zone).date() + timedelta(days=shop.invoice_due_days)
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone).astimezone(UTC)


def _locked(model, ident: int):
    """Re-read a row with `FOR UPDATE` (fresh values, held until commit)."""
    return db.session.scalar(
        select(model).where(model.id == ident).with_for_update().execution_options(populate_existing=True)
    )


def _line_description(line) -> str:
    part_number = getattr(line, "part_number", None)
    text = f"{line.description} (#{part_number})" if part_number else line.description
    return text[:200]


def issue_invoice(work_order: WorkOrder, *, shop, user) -> Invoice:
    """Invoice a work order's approved and pending jobs (declined jobs are left out).

    The lines are frozen copies with the tax rates in force now; the bill-to is the customer
    as they are now; the work order becomes invoiced.
    """
    work_order = _locked(WorkOrder, work_order.id)
    if work_order.status in (Status.INVOICED, Status.CLOSED):
        raise InvoiceConflictError(f"Work order #{work_order.number} is already invoiced.")
    if work_order.status == Status.CANCELLED:
        raise InvoiceConflictError(f"Work order #{work_order.number} is cancelled; there is nothing to invoice.")
    already = db.session.scalar(
        select(Invoice).where(
            Invoice.work_order_id == work_order.id,
            Invoice.kind == InvoiceKind.INVOICE,
            Invoice.status == InvoiceStatus.ISSUED,
        )
    )
    if already is not None:
        raise InvoiceConflictError(f"Work order #{work_order.number} is already on invoice {already.document_number}.")

    currency = shop.currency
    rates = tax_rates_of(shop)
    jobs = db.session.scalars(
        select(Job)
        .where(Job.work_order_id == work_order.id, Job.approval != Approval.DECLINED)
        .options(selectinload(Job.lines))
        .order_by(Job.position, Job.id)
    ).all()
    lines = [
        InvoiceLine(
            job_title=job.title[:200],
            kind=line.kind,
            description=_line_description(line),
            quantity=line.quantity,
            unit_price=line.unit_price,
            tax_category=line.tax_category,
            tax_rate=rates.get(line.tax_category, ZERO),
            net_amount=line_net(line, currency),
        )
        for job in jobs
        for line in job.lines
    ]
    if not lines:
        raise InvoiceConflictError(
            f"Work order #{work_order.number} has no approved or pending work to invoice. Add a job first."
        )
    summed = totals(lines, rates, currency)
    if summed.total < ZERO:
        raise InvoiceConflictError("The discounts are larger than the work: an invoice cannot have a negative total.")
    customer = db.session.scalar(select(Customer).where(Customer.id == work_order.customer_id))
    try:
        work_orders.mark_invoiced(work_order, user)
    except work_orders.WorkOrderError as error:
        raise InvoiceConflictError(str(error)) from None

    now = utcnow()
    invoice = Invoice(
        kind=InvoiceKind.INVOICE,
        number=next_number("invoice"),
        status=InvoiceStatus.ISSUED,
        work_order_id=work_order.id,
        customer_id=customer.id,
        currency=currency,
        bill_to_name=customer.name[:120],
        bill_to_email=customer.email,
        bill_to_address=customer.address or "",
        subtotal=summed.subtotal,
        tax_total=summed.tax_total,
        total=summed.total,
        amount_paid=ZERO,
        issued_at=now,
        due_at=due_date(now, shop),
        issued_by_id=user.id,
    )
    db.session.add(invoice)
    db.session.flush()
    for position, line in enumerate(lines, start=1):
        line.invoice_id = invoice.id
        line.position = position
    db.session.add_all(lines)
    db.session.flush()
    return invoice


# --- corrections --------------------------------------------------------------------------------


def void_invoice(invoice: Invoice, *, reason: str, user) -> Invoice:
    """Mark an invoice (or credit note) void: its number stays taken, the reason and time are kept.

    Only without payments (refunds go through a credit note) and without credit notes that
    still count. Voiding an invoice reopens its work order (back to ready) so it can be
    corrected and invoiced again.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvoicingError("Say why it is void; the reason stays on the record.")
    invoice = _locked(Invoice, invoice.id)
    if invoice.status == InvoiceStatus.VOID:
        raise InvoiceConflictError(f"{invoice.document_number} is already void.")
    has_payments = invoice.amount_paid != ZERO or db.session.scalar(
        select(func.count()).select_from(Payment).where(Payment.invoice_id == invoice.id)
    )
    if has_payments:
        raise InvoiceConflictError(
            f"{invoice.document_number} has payments and cannot be voided. Issue a credit note instead."
        )
    if invoice.kind == InvoiceKind.INVOICE and credited_amounts([invoice.id]):
        raise InvoiceConflictError(f"{invoice.document_number} has credit notes; void them first.")
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = utcnow()
    invoice.void_reason = reason[:1000]
    if invoice.kind == InvoiceKind.INVOICE and invoice.work_order_id:
        work_order = _locked(WorkOrder, invoice.work_order_id)
        if work_order is not None:
            work_orders.reopen_after_void(work_order, user, f"Invoice {invoice.document_number} voided: {reason[:200]}")
    db.session.flush()
    return invoice


def creditable_categories(invoice: Invoice) -> list[str]:
    """Tax categories a chosen-amount credit may use: those on the invoice, then untaxed."""
    categories = list(dict.fromkeys(line.tax_category for line in invoice.lines))
    return categories + ([TaxCategory.NONE] if TaxCategory.NONE not in categories else [])


def issue_credit_note(
    invoice: Invoice,
    *,
    user,
    reason: str,
    amount: Decimal | None = None,
    tax_category: str | None = None,
) -> Invoice:
    """Issue a credit note against `invoice`.

    Without `amount`: every line is copied negated (a full credit). With `amount`: one line of
    that net amount in `tax_category`, taxed at the invoice's frozen rate of that category.
    The credits on an invoice can never add up to more than its total.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvoicingError("Say what the credit is for; it is printed on the credit note.")
    invoice = _locked(Invoice, invoice.id)
    if invoice.kind != InvoiceKind.INVOICE:
        raise InvoiceConflictError("A credit note cannot itself be credited. Void it instead.")
    if invoice.status == InvoiceStatus.VOID:
        raise InvoiceConflictError(f"{invoice.document_number} is void; there is nothing to credit.")
    currency = invoice.currency
    already = credited_amounts([invoice.id]).get(invoice.id, ZERO)
    creditable = invoice.total - already
    if creditable <= ZERO:
        raise InvoiceConflictError(f"{invoice.document_number} is already credited in full.")
    rates = rates_of_lines(invoice.lines)

    if amount is None:
        if already != ZERO:
            raise InvoiceConflictError(
                f"Part of {invoice.document_number} is already credited; credit a chosen amount instead."
            )
        lines = [
            InvoiceLine(
                position=line.position,
                job_title=line.job_title,
                kind=line.kind,
                description=line.description,
                quantity=line.quantity,
                unit_price=-line.unit_price,
                tax_category=line.tax_category,
                tax_rate=line.tax_rate,
                net_amount=-line.net_amount,
            )
            for line in invoice.lines
        ]
    else:
        try:
            amount = Decimal(amount)
        except (InvalidOperation, TypeError, ValueError):
            raise InvoicingError("Enter the amount to credit, e.g. 25.00.") from None
        if amount <= ZERO:
            raise InvoicingError("The amount to credit must be more than zero.")
        if round_money(amount, currency) != amount:
            raise InvoicingError(f"{currency} amounts have {_places(currency)} decimals at most.")
        if tax_category not in creditable_categories(invoice):
            raise InvoicingError("Pick the tax category of the credit from the list.")
        lines = [
            InvoiceLine(
                position=1,
                job_title="",
                kind=LineKind.DISCOUNT,
                description=reason[:200],
                quantity=Decimal("1"),
                unit_price=-amount,
                tax_category=tax_category,
                tax_rate=rates.get(tax_category, ZERO),
                net_amount=-amount,
            )
        ]
        rates = {**rates, tax_category: rates.get(tax_category, ZERO)}
    summed = totals(lines, rates, currency)
    if -summed.total > creditable:
        raise InvoicingError(
            f"That credit ({format_money(-summed.total, currency)} with tax) is more than the "
            f"{format_money(creditable, currency)} left to credit on {invoice.document_number}."
        )

    now = utcnow()
    note = Invoice(
        kind=InvoiceKind.CREDIT_NOTE,
        number=next_number("credit_note"),
        status=InvoiceStatus.ISSUED,
        work_order_id=invoice.work_order_id,
        customer_id=invoice.customer_id,
        credited_invoice_id=invoice.id,
        currency=currency,
        bill_to_name=invoice.bill_to_name,
        bill_to_email=invoice.bill_to_email,
        bill_to_address=invoice.bill_to_address,
        subtotal=summed.subtotal,
        tax_total=summed.tax_total,
        total=summed.total,
        amount_paid=ZERO,
        issued_at=now,
        due_at=now,
        issued_by_id=user.id,
    )
    db.session.add(note)
    db.session.flush()
    for line in lines:
        line.invoice_id = note.id
    db.session.add_all(lines)
    db.session.flush()
    return note


def _places(currency: str) -> int:
    return 0 if minor_unit(currency) == 1 else 2


# --- payments -----------------------------------------------------------------------------------


def record_payment(
    invoice: Invoice, *, amount: Decimal, method: str, user, reference: str = "", note: str = ""
) -> Payment:
    """Record money received against `invoice` (partial payments welcome, never more than is due)."""
    invoice = _locked(Invoice, invoice.id)
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        raise InvoiceConflictError("A credit note is not paid; record the payment on the invoice.")
    if invoice.status == InvoiceStatus.VOID:
        raise InvoiceConflictError(f"{invoice.document_number} is void and cannot take payments.")
    try:
        amount = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise InvoicingError("Enter the amount received, e.g. 50.00.") from None
    if not amount.is_finite() or amount <= ZERO:
        raise InvoicingError("The amount received must be more than zero.")
    if round_money(amount, invoice.currency) != amount:
        raise InvoicingError(f"{invoice.currency} amounts have {_places(invoice.currency)} decimals at most.")
    if method not in {m.value for m in PaymentMethod}:
        raise InvoicingError("Pick how the customer paid: cash, card, check or other.")
    credited = credited_amounts([invoice.id]).get(invoice.id, ZERO)
    balance = invoice.total - invoice.amount_paid - credited
    if balance <= ZERO:
        raise InvoiceConflictError(f"{invoice.document_number} is already paid in full.")
    if amount > balance:
        raise InvoicingError(
            f"The balance due is {format_money(balance, invoice.currency)}; a payment cannot be more than that."
        )
    payment = Payment(
        invoice_id=invoice.id,
        amount=amount,
        method=method,
        reference=(reference or "").strip()[:120],
        note=(note or "").strip(),
        received_at=utcnow(),
        recorded_by_id=user.id,
    )
    db.session.add(payment)
    invoice.amount_paid = invoice.amount_paid + amount
    db.session.flush()
    return payment


# --- e-mail -------------------------------------------------------------------------------------


def email_invoice(invoice: Invoice, *, shop) -> str:
    """Queue the invoice (PDF attached) to the customer; sent when the request commits. Returns the address."""
    from saas.invoicing.pdf import render_invoice_pdf

    if invoice.status == InvoiceStatus.VOID:
        raise InvoiceConflictError(f"{invoice.document_number} is void; it is not sent to the customer.")
    address = invoice.bill_to_email
    if not address:
        customer = db.session.scalar(select(Customer).where(Customer.id == invoice.customer_id))
        address = customer.email if customer is not None else None
    if not address:
        raise InvoiceConflictError("This customer has no e-mail address. Add one to their record, then send again.")
    document = invoice_document(invoice, shop)
    message = send_mail(
        address,
        f"{document.title} {document.number} from {shop.name}",
        "invoicing/email/invoice",
        attachments=[Attachment(document.filename, render_invoice_pdf(document), "application/pdf")],
        doc=document,
        shop=shop,
    )
    if shop.email:
        message["Reply-To"] = shop.email
    return address


# --- issued documents never change --------------------------------------------------------------

# What may change on an issued invoice: its payments total and the void marking.
MUTABLE_INVOICE_COLUMNS = frozenset({"amount_paid", "status", "voided_at", "void_reason"})


def _changed_columns(obj) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_issued_documents(session, flush_context, instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, (Invoice, InvoiceLine, Payment)):
            raise ImmutableInvoiceError("Issued invoices, their lines and payments are never deleted.")
    for obj in session.dirty:
        if isinstance(obj, Invoice):
            changed = _changed_columns(obj)
            if changed - MUTABLE_INVOICE_COLUMNS:
                raise ImmutableInvoiceError(
                    f"An issued {obj.document_title.lower()} cannot be changed "
                    f"({', '.join(sorted(changed - MUTABLE_INVOICE_COLUMNS))}). Void it or issue a credit note."
                )
            status = inspect(obj).attrs["status"].history
            was = status.deleted[0] if status.deleted else obj.status
            if changed and was == InvoiceStatus.VOID:
                raise ImmutableInvoiceError(f"{obj.document_number} is void and stays as it is.")
        elif isinstance(obj, (InvoiceLine, Payment)) and _changed_columns(obj):
            raise ImmutableInvoiceError("Lines and payments of an issued invoice cannot be changed.")


def invoices_of_work_order(work_order_id: int) -> list[Invoice]:
    """The invoices and credit notes made for a work order, oldest first."""
    return list(
        db.session.scalars(
            select(Invoice).where(Invoice.work_order_id == work_order_id).order_by(Invoice.issued_at, Invoice.id)
        )
    )
