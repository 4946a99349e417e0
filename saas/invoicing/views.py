"""Invoice pages: the list, one invoice, its PDF; issuing, payments, void, credit notes, e-mail."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from saas.audit.services import log_access
from saas.auth.decorators import permission_required
from saas.core.extensions import db
from saas.core.money import format_money
from saas.core.requests import FormPage
from saas.core.tenancy import active_tenant, get_or_404
from saas.invoicing import operations, queries
from saas.invoicing.document import category_label, invoice_document
from saas.invoicing.forms import CreditNoteForm, PaymentForm, VoidForm
from saas.invoicing.models import Invoice
from saas.invoicing.pdf import render_invoice_pdf
from saas.workorders.models import WorkOrder

bp = Blueprint("invoicing", __name__, template_folder="templates", url_prefix="/invoices")

PER_PAGE = 25


@bp.route("")
@permission_required("invoices.view")
def index():
    """Invoices and credit notes, newest first; filter by status, search by number or customer."""
    status = request.args.get("status", "")
    status = status if status in queries.STATUS_FILTERS else ""
    search = request.args.get("q", "")[:100]
    page = db.paginate(queries.invoice_search(status, search), per_page=PER_PAGE, error_out=False)
    ready = queries.ready_to_invoice() if current_user.can("invoices.manage") else []
    return render_template(
        "invoicing/index.html",
        page=page,
        rows=queries.listed(page.items),
        status=status,
        search=search,
        filters=queries.STATUS_FILTERS,
        ready=ready,
    )


@bp.route("/<int:invoice_id>")
@permission_required("invoices.view")
def show(invoice_id: int):
    """One invoice or credit note with its lines, taxes, payments and what can be done with it."""
    return _invoice_page(get_or_404(Invoice, invoice_id))


@bp.route("/<int:invoice_id>/pdf")
@permission_required("invoices.view")
def pdf(invoice_id: int):
    """Download the PDF (logged on the access log)."""
    invoice = get_or_404(Invoice, invoice_id)
    document = invoice_document(invoice, active_tenant())
    data = render_invoice_pdf(document)
    # The PDF carries the customer's name and address out of the app: it goes on the access log.
    log_access(
        "download", "customer", invoice.customer_id, f"Downloaded {document.title.lower()} {document.number} (PDF)"
    )
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
    back_url = url_for("workorders.show", work_order_id=work_order_id)
    FormPage(lambda: render_template("invoicing/refused.html", back_url=back_url))
    invoice = operations.issue_invoice(work_order, shop=active_tenant(), user=current_user)
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
    page = FormPage(lambda: _invoice_page(invoice, payment_form=form), form)
    if not form.validate_on_submit():
        return page.show()
    payment = operations.record_payment(
        invoice,
        amount=form.amount.data,
        method=form.method.data,
        reference=form.reference.data,
        note=form.note.data,
        user=current_user,
    )
    flash(f"Payment of {format_money(payment.amount, invoice.currency)} recorded.", "success")
    return redirect(url_for("invoicing.show", invoice_id=invoice.id))


@bp.route("/<int:invoice_id>/void", methods=["POST"])
@permission_required("invoices.manage")
def void(invoice_id: int):
    """Void an invoice or credit note (its number stays taken)."""
    invoice = get_or_404(Invoice, invoice_id)
    form = VoidForm()
    page = FormPage(lambda: _invoice_page(invoice, void_form=form), form)
    if not form.validate_on_submit():
        return page.show()
    operations.void_invoice(invoice, reason=form.reason.data, user=current_user)
    flash(f"{invoice.document_number} is void. Its number stays on record.", "info")
    return redirect(url_for("invoicing.show", invoice_id=invoice.id))


@bp.route("/<int:invoice_id>/credit-note", methods=["POST"])
@permission_required("invoices.manage")
def credit_note(invoice_id: int):
    """Issue a credit note for the whole invoice or a chosen amount."""
    invoice = get_or_404(Invoice, invoice_id)
    form = _credit_form(invoice)
    page = FormPage(lambda: _invoice_page(invoice, credit_form=form), form)
    if not form.validate_on_submit():
        return page.show()
    full = form.scope.data == "full"
    note = operations.issue_credit_note(
        invoice,
        user=current_user,
        reason=form.reason.data,
        amount=None if full else form.amount.data,
        tax_category=None if full else form.tax_category.data,
    )
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
    FormPage(lambda: _invoice_page(invoice))
    address = operations.email_invoice(invoice, shop=active_tenant())
    flash(f"{invoice.document_title} {invoice.document_number} sent to {address}.", "success")
    return redirect(url_for("invoicing.show", invoice_id=invoice.id))


# --- the invoice page -----------------------------------------------------------------------------


def _credit_form(invoice: Invoice, submitted: bool = True) -> CreditNoteForm:
    form = CreditNoteForm() if submitted else CreditNoteForm(formdata=None)
    form.tax_category.choices = [
        SelectChoice(category, category_label(category)) for category in operations.creditable_categories(invoice)
    ]
    return form


def _invoice_page(invoice: Invoice, *, payment_form=None, void_form=None, credit_form=None) -> str:
    """The invoice page; a form given (with its errors) takes the place of the blank one."""
    document = invoice_document(invoice, active_tenant())
    position = document.position
    return render_template(
        "invoicing/show.html",
        doc=document,
        invoice=invoice,
        payment_form=payment_form or PaymentForm(formdata=None, amount=position.balance if position.payable else None),
        void_form=void_form or VoidForm(formdata=None),
        credit_form=credit_form or _credit_form(invoice, submitted=False),
        work_order_url=url_for("workorders.show", work_order_id=invoice.work_order_id)
        if invoice.work_order_id
        else None,
        category_label=category_label,
    )
