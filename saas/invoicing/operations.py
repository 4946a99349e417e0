"""Changes to invoices: issue one from a work order, void, credit, record payments, e-mail.

Numbers are gapless per shop and kind: `saas.core.sequences.next_number` locks the shop's counter
row until the transaction ends. Rows whose totals a change depends on (the work order being
invoiced, the invoice being paid, voided or credited) are locked with `SELECT ... FOR UPDATE`
first, so two requests at the same moment are serialized instead of both passing a check.
Issued documents themselves never change (saas/invoicing/immutability.py).

Services flush and never commit; the request layer commits once.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.mail import Attachment, send_mail
from saas.core.money import ZERO, decimal_places, format_money, round_money
from saas.core.sequences import next_number
from saas.customers.models import Customer
from saas.invoicing.document import invoice_document, rates_of_lines
from saas.invoicing.errors import InvoiceConflictError, InvoicingError
from saas.invoicing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, Payment, PaymentMethod
from saas.invoicing.pdf import render_invoice_pdf
from saas.invoicing.standing import Position, Standing, credited_amounts, current_position
from saas.workorders import services as work_orders
from saas.workorders.models import Approval, Job, LineKind, Status, TaxCategory, WorkOrder
from saas.workorders.pricing import line_net, tax_rates_of, totals

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
        amount = _amount(amount, currency, "the amount to credit", "25.00")
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


def _amount(value, currency: str, what: str, example: str) -> Decimal:
    """`value` as an amount of `currency` above zero, or a refusal about `what` ("the amount received")."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvoicingError(f"Enter {what}, e.g. {example}.") from None
    if not amount.is_finite() or amount <= ZERO:
        raise InvoicingError(f"{what[0].upper()}{what[1:]} must be more than zero.")
    if round_money(amount, currency) != amount:
        raise InvoicingError(f"{currency} amounts have {decimal_places(currency)} decimals at most.")
    return amount


# --- payments -----------------------------------------------------------------------------------


def record_payment(
    invoice: Invoice, *, amount: Decimal, method: str, user, reference: str = "", note: str = ""
) -> Payment:
    """Record money received against a payable `invoice` (partial payments welcome, never more than is due)."""
    invoice = _locked(Invoice, invoice.id)
    position = current_position(invoice)
    if not position.payable:
        raise InvoiceConflictError(_why_not_payable(invoice, position))
    amount = _amount(amount, invoice.currency, "the amount received", "50.00")
    if method not in {m.value for m in PaymentMethod}:
        raise InvoicingError("Pick how the customer paid: cash, card, check or other.")
    if amount > position.balance:
        raise InvoicingError(
            f"The balance due is {format_money(position.balance, invoice.currency)}; a payment cannot be more than that."
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


def _why_not_payable(invoice: Invoice, position: Position) -> str:
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        return "A credit note is not paid; record the payment on the invoice."
    if position.standing == Standing.VOID:
        return f"{invoice.document_number} is void and cannot take payments."
    return f"{invoice.document_number} is already paid in full."


# --- e-mail -------------------------------------------------------------------------------------


def email_invoice(invoice: Invoice, *, shop) -> str:
    """Queue the invoice (PDF attached) to the customer; sent when the request commits. Returns the address."""
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
