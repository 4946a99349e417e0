"""Invoice pages: the list, one invoice, its PDF; issuing, payments, void, credit notes, e-mail."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError
from wtforms import SelectChoice

from saas.audit.services import log_access
from saas.auth.decorators import permission_required
from saas.core.extensions import db
from saas.core.money import ZERO, format_money
from saas.core.tenancy import active_tenant, get_or_404
from saas.invoicing import services
from saas.invoicing.forms import CreditNoteForm, PaymentForm, VoidForm
from saas.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from saas.invoicing.pdf import render_invoice_pdf
from saas.workorders.models import WorkOrder

bp = Blueprint("invoicing", __name__, template_folder="templates", url_prefix="/invoices")

PER_PAGE = 25


def _shop():
    return active_tenant()


@bp.route("")
@permission_required("invoices.view")
def index():
    """Invoices and credit notes, newest first; filter by status, search by number or customer."""
    status = request.args.get("status", "")
    status = status if status in services.STATUS_FILTERS else ""
    search = request.args.get("q", "")[:100]
    page = db.paginate(services.invoice_search(status, search), per_page=PER_PAGE, error_out=False)
    ready = services.ready_to_invoice() if current_user.can("invoices.manage") else []
    return render_template(
        "invoicing/index.html",
        page=page,
        rows=services.listed(page.items),
        status=status,
        search=search,
        filters=services.STATUS_FILTERS,
        ready=ready,
    )


@bp.route("/<int:invoice_id>")
@permission_required("invoices.view")
def show(invoice_id: int):
    """One invoice or credit note with its lines, taxes, payments and what can be done with it."""
    return _render_invoice(get_or_404(Invoice, invoice_id))


@bp.route("/<int:invoice_id>/pdf")
@permission_required("invoices.view")
def pdf(invoice_id: int):
    """Download the PDF (logged on the access log)."""
    invoice = get_or_404(Invoice, invoice_id)
    document = services.invoice_document(invoice, _shop())
    data = render_invoice_pdf(document)
    # The PDF carries the customer's name and address out of the app: it goes on the access log.
    log_access(
        "download", "customer", invoice.customer_id, f"Downloaded {document.title.lower()} {document.number} (PDF)"
    )
    db.session.commit()
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{document.filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/from-work-order/<int:work_order_id>", methods=["POST"])
@permission_required("invoices.manage")
def from_work_order(work_order_id: int):
    """Issue the invoice of a work order."""
    work_order = get_or_404(WorkOrder, work_order_id)
    try:
        invoice = services.issue_invoice(work_order, shop=_shop(), user=current_user)
    except services.InvoicingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return render_template(
            "invoicing/refused.html", message=str(error), back_url=_work_order_url(work_order_id)
        ), error.status
    db.session.commit()
    flash(
        f"Invoice {invoice.document_number} issued for {format_money(invoice.total, invoice.currency)}.",
        "success",
    )
    return redirect(url_for("invoicing.show", invoice_id=invoice.id))


@bp.route("/<int:invoice_id>/payments", methods=["POST"])
@permission_required("payments.record")
def record_payment(invoice_id: int):
    """Record money received."""
    invoice = get_or_404(Invoice, invoice_id)
    form = PaymentForm()
    if not form.validate_on_submit():
        return _render_invoice(invoice, payment_form=form, status=400)
    try:
        payment = services.record_payment(
            invoice,
            amount=form.amount.data,
            method=form.method.data,
            reference=form.reference.data,
            note=form.note.data,
            user=current_user,
        )
    except services.InvoicingError as error:
        return _refused(invoice, error, payment_form=form)
    db.session.commit()
    flash(f"Payment of {format_money(payment.amount, invoice.currency)} recorded.", "success")
    return redirect(url_for("invoicing.show", invoice_id=invoice.id))


@bp.route("/<int:invoice_id>/void", methods=["POST"])
@permission_required("invoices.manage")
def void(invoice_id: int):
    """Void an invoice or credit note (its number stays taken)."""
    invoice = get_or_404(Invoice, invoice_id)
    form = VoidForm()
    if not form.validate_on_submit():
        return _render_invoice(invoice, void_form=form, status=400)
    try:
        services.void_invoice(invoice, reason=form.reason.data, user=current_user)
    except services.InvoicingError as error:
        return _refused(invoice, error, void_form=form)
    db.session.commit()
    flash(f"{invoice.document_number} is void. Its number stays on record.", "info")
    return redirect(url_for("invoicing.show", invoice_id=invoice.id))


@bp.route("/<int:invoice_id>/credit-note", methods=["POST"])
@permission_required("invoices.manage")
def credit_note(invoice_id: int):
    """Issue a credit note for the whole invoice or a chosen amount."""
    invoice = get_or_404(Invoice, invoice_id)
    form = _credit_form(invoice)
    if not form.validate_on_submit():
        return _render_invoice(invoice, credit_form=form, status=400)
    full = form.scope.data == "full"
    try:
        note = services.issue_credit_note(
            invoice,
            user=current_user,
            reason=form.reason.data,
            amount=None if full else form.amount.data,
            tax_category=None if full else form.tax_category.data,
        )
    except services.InvoicingError as error:
        return _refused(invoice, error, credit_form=form)
    db.session.commit()
    flash(
        f"Credit note {note.document_number} issued for {format_money(-note.total, note.currency)}.",
        "success",
    )
    return redirect(url_for("invoicing.show", invoice_id=note.id))


@bp.route("/<int:invoice_id>/email", methods=["POST"])
@permission_required("invoices.manage")
def email(invoice_id: int):
    """E-mail the PDF to the customer."""
    invoice = get_or_404(Invoice, invoice_id)
    try:
        address = services.email_invoice(invoice, shop=_shop())
    except services.InvoicingError as error:
        return _refused(invoice, error)
    db.session.commit()
    flash(f"{invoice.document_title} {invoice.document_number} sent to {address}.", "success")
    return redirect(url_for("invoicing.show", invoice_id=invoice.id))


# --- helpers ------------------------------------------------------------------------------------


def _credit_form(invoice: Invoice, submitted: bool = True) -> CreditNoteForm:
    form = CreditNoteForm() if submitted else CreditNoteForm(formdata=None)
    form.tax_category.choices = [
        SelectChoice(category, services.category_label(category))
        for category in services.creditable_categories(invoice)
    ]
    return form


def _refused(invoice: Invoice, error: services.InvoicingError, **forms):
    """Undo what the failed attempt did, and show the invoice again with the reason."""
    db.session.rollback()
    flash(str(error), "error")
    return _render_invoice(get_or_404(Invoice, invoice.id), status=error.status, **forms)


def _render_invoice(invoice: Invoice, *, status: int = 200, payment_form=None, void_form=None, credit_form=None):
    document = services.invoice_document(invoice, _shop())
    payable = (
        invoice.kind == InvoiceKind.INVOICE
        and invoice.status == InvoiceStatus.ISSUED
        and document.position.balance > ZERO
    )
    if payment_form is None:
        payment_form = PaymentForm(formdata=None, amount=document.position.balance if payable else None)
    credit_form = credit_form or _credit_form(invoice, submitted=False)
    return render_template(
        "invoicing/show.html",
        doc=document,
        invoice=invoice,
        payable=payable,
        payment_form=payment_form,
        void_form=void_form or VoidForm(formdata=None),
        credit_form=credit_form,
        work_order_url=_work_order_url(invoice.work_order_id) if invoice.work_order_id else None,
        category_label=services.category_label,
        percent=services.percent,
        quantity_text=services.quantity_text,
    ), status


def _work_order_url(work_order_id: int) -> str:
    """The work order's page (or the work order list while that page is being built)."""
    try:
        return url_for("workorders.show", work_order_id=work_order_id)
    except BuildError:
        return url_for("workorders.index")
