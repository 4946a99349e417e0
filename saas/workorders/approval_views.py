"""Estimates approved online.

Two blueprints on the shop's host:

* `estimates` (staff): send the estimate from the work order page; the shop-wide list of
  declined work. Also offers `estimate_panel(work_order)` to templates, which the work order
  page's `workorders/approval/_panel.html` uses.
* `estimate_public` (the shop's customers, no account): `/estimate/<token>`, the e-mailed link.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from saas.auth.decorators import permission_required, safe_next_url
from saas.core.errors import render_error
from saas.core.extensions import db, limiter
from saas.core.requests import FormPage, private_page
from saas.core.tenancy import active_tenant, get_or_404
from saas.customers.models import Asset, Customer
from saas.workorders import approval, estimate, signals
from saas.workorders.models import WorkOrder

bp = Blueprint("estimates", __name__, template_folder="templates", url_prefix="/work-orders")
public_bp = Blueprint("estimate_public", __name__, template_folder="templates")

PER_PAGE = 25


@bp.app_context_processor
def _template_helpers() -> dict:
    return {"estimate_panel": approval.estimate_panel, "work_order_url": approval.work_order_url}


@bp.route("/<int:work_order_id>/estimate/send", methods=["POST"])
@permission_required("workorders.edit")
def send(work_order_id: int):
    """E-mail the customer a fresh link to approve or decline the estimate."""
    work_order = get_or_404(WorkOrder, work_order_id)
    back = safe_next_url(request.form.get("next")) or approval.work_order_url(work_order.id)
    FormPage(lambda: render_template("workorders/approval/send_failed.html", work_order=work_order, back=back))
    address = approval.send_estimate(work_order)
    days = approval.link_max_age() // (24 * 3600)
    flash(f"Estimate sent to {address}. The link works for {days} days.", "success")
    return redirect(back)


@bp.route("/declined")
@permission_required("workorders.view")
def declined():
    """Work customers declined, newest first: the list to call them back about."""
    page = db.paginate(estimate.declined_jobs_query(), per_page=PER_PAGE, error_out=False)
    return render_template("workorders/approval/declined.html", page=page, rows=estimate.declined_rows(page.items))


# --- the customer's page -------------------------------------------------------------------


public_bp.after_request(private_page)  # the page carries prices and a personal link


@public_bp.errorhandler(approval.EstimateLinkError)
def _link_problem(error: approval.EstimateLinkError):
    """A link that is broken (a plain 404), expired (410) or made for an older estimate (409)."""
    db.session.rollback()
    if error.reason == "invalid":
        return render_error(404)
    page = render_template(
        "workorders/approval/link_problem.html", reason=error.reason, work_order=error.work_order, shop=active_tenant()
    )
    return page, error.status


@public_bp.route("/estimate/<token>", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def show(token: str):
    """The customer's estimate: approve or decline each job and sign with their name."""
    work_order, version = approval.work_order_for_link(token, lock=request.method == "POST")
    if request.method == "GET":
        return _estimate_page(work_order, version)
    answers = _answers()
    signed_name = request.form.get("signed_name", "")
    FormPage(lambda: _estimate_page(work_order, version, answers, signed_name))
    approval.record_decision(
        work_order,
        version,
        answers,
        signed_name,
        ip_address=request.remote_addr,
        user_agent=request.user_agent.string,
    )
    flash("Thank you. Your answer is recorded and the shop can see it now.", "success")
    return redirect(url_for(".show", token=token))


def _answers() -> dict[int, str]:
    """`job-<id>` radio buttons of the form, as {job id: decision}."""
    answers = {}
    for key, value in request.form.items():
        job_id = key.removeprefix("job-")
        if key.startswith("job-") and job_id.isdigit():
            answers[int(job_id)] = value
    return answers


def _estimate_page(work_order: WorkOrder, version: int, answers: dict | None = None, signed_name: str = "") -> str:
    priced = estimate.price_estimate(work_order)
    job_panels = {}
    for _, answer in signals.estimate_job_panels.send(work_order):
        job_panels.update(answer or {})
    return render_template(
        "workorders/approval/estimate.html",
        estimate=priced,
        work_order=work_order,
        customer=db.session.scalar(select(Customer).where(Customer.id == work_order.customer_id)),
        asset=db.session.scalar(select(Asset).where(Asset.id == work_order.asset_id)) if work_order.asset_id else None,
        record=approval.approval_for_version(work_order, version),
        answers=answers or {},
        signed_name=signed_name,
        shop=active_tenant(),
        job_panels=job_panels,
    )
