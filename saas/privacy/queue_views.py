"""The staff's queue of privacy requests (owners and managers): the list with its filters, each
request's page with its history and matched customers, the actions on it, the deadline rules.

Opening a request shows its customers' personal data: that is logged (saas.audit).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from saas.audit.services import log_access
from saas.auth.decorators import permission_required
from saas.core.extensions import db
from saas.core.requests import BackTo, FormPage
from saas.core.tenancy import active_tenant
from saas.customers.phones import format_phone
from saas.privacy import request_answers, request_queries, request_workflow
from saas.privacy.deadlines import days_left, extensions, may_extend, urgency
from saas.privacy.request_forms import CorrectionForm, ExtendForm, JurisdictionForm, NoteForm
from saas.privacy.request_models import EVENT_LABELS, KIND_LABELS, STATUS_LABELS, PrivacyRequest
from saas.privacy.request_settings import jurisdictions_for, set_jurisdiction, shop_jurisdiction
from saas.privacy.requests import work_for
from saas.shop.periods import shop_today

bp = Blueprint("privacy_requests", __name__, template_folder="templates", url_prefix="/privacy-requests")

PER_PAGE = 25


@bp.app_context_processor
def _deadline_helpers() -> dict:
    return {"request_urgency": urgency, "request_days_left": days_left}


def _today():
    return shop_today(active_tenant())


@bp.route("")
@permission_required("privacy.requests")
def index():
    """The queue: open requests soonest deadline first; filters by status, kind, urgency and address."""
    filters = request_queries.QueueFilters.from_args(request.args)
    today = _today()
    page = db.paginate(request_queries.queue_query(filters, today), per_page=PER_PAGE, error_out=False)
    return render_template(
        "privacy/requests/index.html",
        page=page,
        filters=filters,
        counts=request_queries.queue_counts(today),
        today=today,
        kinds=KIND_LABELS,
        statuses=STATUS_LABELS,
        jurisdiction=shop_jurisdiction(),
    )


def _load(request_id: int) -> PrivacyRequest:
    privacy_request = request_queries.load_request(request_id)
    if privacy_request is None:
        abort(404)
    return privacy_request


def _extend_form(privacy_request: PrivacyRequest, form: ExtendForm | None = None) -> ExtendForm:
    form = form or ExtendForm(prefix="extend")
    choices = extensions(privacy_request.received_on, privacy_request.due_on, privacy_request.jurisdiction)
    form.extension.choices = [
        SelectChoice(choice.key, f"{choice.label}, to {choice.due_on:%d %b %Y}") for choice in choices
    ]
    return form


def _request_page(
    privacy_request: PrivacyRequest,
    *,
    complete_form: NoteForm | None = None,
    refuse_form: NoteForm | None = None,
    extend_form: ExtendForm | None = None,
) -> str:
    """The request, its customers, its history and what staff can do next (the customers' data seen is logged)."""
    for match in privacy_request.matches:
        if match.customer is not None:
            log_access("view", "customer", match.customer_id, f"Privacy request #{privacy_request.number}")
    today = _today()
    return render_template(
        "privacy/requests/show.html",
        privacy_request=privacy_request,
        work=work_for(privacy_request.kind),
        event_labels=EVENT_LABELS,
        today=today,
        may_extend=privacy_request.extended_at is None and may_extend(privacy_request.due_on, today),
        complete_form=complete_form or NoteForm(prefix="complete"),
        refuse_form=refuse_form or NoteForm(prefix="refuse"),
        extend_form=_extend_form(privacy_request, extend_form),
        request_exports=request_answers.exports_of(privacy_request),
        request_erasures=request_answers.erasures_of(privacy_request),
    )


@bp.route("/<int:request_id>")
@permission_required("privacy.requests")
def show(request_id: int):
    """One request: who asked for what, when it is due, its customers and full history."""
    return _request_page(_load(request_id))


def _back(privacy_request: PrivacyRequest, message: str):
    flash(message, "success")
    return redirect(url_for(".show", request_id=privacy_request.id), 303)


@bp.route("/<int:request_id>/start", methods=["POST"])
@permission_required("privacy.requests")
def start(request_id: int):
    """Mark a new request in progress."""
    privacy_request = _load(request_id)
    BackTo(url_for(".show", request_id=privacy_request.id))
    request_workflow.start_work(privacy_request, current_user)
    return _back(privacy_request, f"Request #{privacy_request.number} is in progress.")


@bp.route("/<int:request_id>/extend", methods=["POST"])
@permission_required("privacy.requests")
def extend(request_id: int):
    """Move the deadline as the law allows; the requester is told why."""
    privacy_request = _load(request_id)
    form = _extend_form(privacy_request)
    page = FormPage(lambda: _request_page(privacy_request, extend_form=form), form)
    if form.validate_on_submit():
        request_workflow.extend_request(privacy_request, current_user, form.extension.data, form.reason.data, _today())
        return _back(privacy_request, f"Extended to {privacy_request.due_on:%d %b %Y}. The requester was told why.")
    return page.show()


@bp.route("/<int:request_id>/complete", methods=["POST"])
@permission_required("privacy.requests")
def complete(request_id: int):
    """Close the request as done; the requester gets the note."""
    privacy_request = _load(request_id)
    form = NoteForm(prefix="complete")
    page = FormPage(lambda: _request_page(privacy_request, complete_form=form), form)
    if form.validate_on_submit():
        request_workflow.complete_request(privacy_request, current_user, form.note.data)
        return _back(privacy_request, f"Request #{privacy_request.number} is completed. The requester was told.")
    return page.show()


@bp.route("/<int:request_id>/refuse", methods=["POST"])
@permission_required("privacy.requests")
def refuse(request_id: int):
    """Refuse the request with a reason; the requester gets it and where to complain."""
    privacy_request = _load(request_id)
    form = NoteForm(prefix="refuse")
    page = FormPage(lambda: _request_page(privacy_request, refuse_form=form), form)
    if form.validate_on_submit():
        request_workflow.refuse_request(privacy_request, current_user, form.note.data)
        return _back(privacy_request, f"Request #{privacy_request.number} is refused. The requester was told why.")
    return page.show()


@bp.route("/<int:request_id>/export", methods=["POST"])
@permission_required("privacy.requests")
def export(request_id: int):
    """Prepare the export of the matched customers' data; its link goes to the requester when built."""
    privacy_request = _load(request_id)
    BackTo(url_for(".show", request_id=privacy_request.id))
    request_answers.prepare_export(privacy_request, current_user)
    return _back(privacy_request, "The export is being prepared. The requester gets its link as soon as it is ready.")


@bp.route("/<int:request_id>/erase", methods=["POST"])
@permission_required("privacy.erase")
def erase(request_id: int):
    """Erase the matched customers' data and answer the requester with what was kept and why."""
    privacy_request = _load(request_id)
    BackTo(url_for(".show", request_id=privacy_request.id))
    request_answers.erase_matched(privacy_request, current_user)
    return _back(privacy_request, "Erased. The requester was told what was erased and what the law makes you keep.")


@bp.route("/<int:request_id>/customers/<int:customer_id>/correct", methods=["GET", "POST"])
@permission_required("privacy.requests")
def correct(request_id: int, customer_id: int):
    """Correct a matched customer's details as the request asks (logged, and an event of the request)."""
    privacy_request = _load(request_id)
    match = next((m for m in privacy_request.matches if m.customer_id == customer_id), None)
    if match is None or match.customer is None:
        abort(404)
    request_workflow.check_correctable(privacy_request)
    customer = match.customer
    form = CorrectionForm(obj=customer)
    page = FormPage(
        lambda: render_template(
            "privacy/requests/correct.html", form=form, privacy_request=privacy_request, customer=customer
        ),
        form,
    )
    if form.validate_on_submit():
        changed = request_workflow.correct_customer(
            privacy_request,
            customer,
            current_user,
            name=form.name.data,
            email=form.email.data,
            phone=form.phone.data,
            address=form.address.data,
        )
        if not changed:
            flash("Nothing was changed.", "info")
            return redirect(url_for(".show", request_id=privacy_request.id), 303)
        return _back(
            privacy_request, f"{customer.name}: {', '.join(changed)} corrected. Complete the request to tell them."
        )
    if not form.is_submitted():
        log_access(
            "view", "customer", customer.id, f"Opened for correction (privacy request #{privacy_request.number})"
        )
        form.phone.data = format_phone(customer.phone, active_tenant().country)
    return page.show()


@bp.route("/settings", methods=["GET", "POST"])
@permission_required("privacy.requests")
def settings():
    """Which deadline rules the shop's requests follow (California's 45 days for a shop there)."""
    shop = active_tenant()
    form = JurisdictionForm(data={"jurisdiction": shop_jurisdiction().value})
    form.jurisdiction.choices = [SelectChoice(choice.value, choice.label) for choice in jurisdictions_for(shop.country)]
    page = FormPage(lambda: render_template("privacy/requests/settings.html", form=form, shop=shop), form)
    if form.validate_on_submit():
        set_jurisdiction(form.jurisdiction.data)
        flash("Saved. Requests received from now on follow these deadlines; earlier ones keep theirs.", "success")
        return redirect(url_for(".settings"), 303)
    return page.show()
