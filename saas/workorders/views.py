"""Work order pages: list and "my jobs", the job board, a work order with its jobs and lines, and
the status flow. Canned jobs have their own module (canned_views.py) on the same blueprint."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from saas.auth.decorators import permission_required
from saas.auth.roles import Role
from saas.core.extensions import db
from saas.core.panels import gather_panels
from saas.core.requests import FormPage
from saas.core.tenancy import active_tenant, get_or_404, is_valid_id
from saas.customers.models import Customer
from saas.workorders import jobs, queries, services, signals
from saas.workorders import status as flow
from saas.workorders.forms import (
    AddCannedJobForm,
    JobForm,
    LineForm,
    StatusForm,
    WorkOrderForm,
    from_local_input,
    optional_int,
    to_local_input,
)
from saas.workorders.models import Job, JobLine, Status, WorkOrder
from saas.workorders.pricing import job_subtotal, line_net, work_order_totals

bp = Blueprint("workorders", __name__, template_folder="templates", url_prefix="/work-orders")

PER_PAGE = 25


def arg_id(name: str) -> int | None:
    """An id from the query string, or None when absent or not an id at all."""
    try:
        value = optional_int(request.args.get(name))
    except ValueError:
        return None
    return value if is_valid_id(value) else None


# --- list, my jobs, board ----------------------------------------------------------------------


@bp.route("")
@permission_required("workorders.view")
def index():
    """Work orders, filtered by status, technician and a search; technicians start on their own."""
    mine_arg = request.args.get("mine")
    mine = mine_arg == "1" if mine_arg is not None else current_user.role == Role.TECHNICIAN
    status = request.args.get("status", "")
    if status not in {"", "open", *Status}:
        status = ""
    technician_id = current_user.id if mine else arg_id("technician")
    search = request.args.get("q", "")[:100]
    query = queries.work_order_search(status=status or None, technician_id=technician_id, term=search)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template(
        "workorders/index.html",
        page=page,
        mine=mine,
        status=status,
        technician_id=technician_id,
        search=search,
        staff=queries.active_staff(),
        statuses=list(Status),
    )


@bp.route("/board")
@permission_required("workorders.view")
def board():
    """The job board: open work orders in columns by status, moved with a button."""
    mine = request.args.get("mine") == "1"
    columns = queries.board(current_user.id if mine else None)
    moves = {
        work_order.id: services.status_targets(current_user, work_order)
        for cards in columns.values()
        for work_order in cards
    }
    return render_template("workorders/board.html", columns=columns, moves=moves, mine=mine, flow=flow)


# --- one work order --------------------------------------------------------------------------


def _work_order_form(work_order: WorkOrder | None, customer_id: int | None) -> WorkOrderForm:
    """The form with this shop's customers, assets (labelled with their customer) and staff as choices."""
    form = WorkOrderForm(obj=work_order)
    if work_order is None:
        form.customer_id.choices = [SelectChoice("", "Pick a customer…")] + [
            SelectChoice(str(customer.id), customer.name) for customer in queries.customer_choices()
        ]
        if request.method == "GET" and customer_id:
            form.customer_id.data = customer_id
    else:
        del form.customer_id
    form.asset_id.choices = [SelectChoice("", "None / not listed")] + [
        SelectChoice(
            str(asset.id),
            asset.label if customer_id else f"{asset.customer.name} — {asset.label}",
            {"data-customer": asset.customer_id},
        )
        for asset in queries.asset_choices(customer_id if request.method == "GET" else None)
    ]
    form.technician_ids.choices = [
        SelectChoice(str(user.id), f"{user.name} ({user.role_label})") for user in queries.active_staff()
    ]
    if request.method == "GET" and work_order is not None:
        form.technician_ids.data = [row.user_id for row in work_order.technicians]
        form.promised_at.data = to_local_input(work_order.promised_at, active_tenant().timezone)
    return form


def _details(form: WorkOrderForm) -> dict:
    return {
        "asset_id": form.asset_id.data,
        "concern": form.concern.data,
        "diagnosis": form.diagnosis.data,
        "internal_notes": form.internal_notes.data,
        "odometer_in": form.odometer_in.data,
        "technician_ids": form.technician_ids.data or [],
        "promised_at": from_local_input(form.promised_at.data, active_tenant().timezone),
    }


@bp.route("/new", methods=["GET", "POST"])
@permission_required("workorders.edit")
def new():
    """Open a work order for a customer (`?customer_id=` preselects one)."""
    preselected = request.args.get("customer_id")
    customer_id = get_or_404(Customer, arg_id("customer_id") or 0).id if preselected else None
    form = _work_order_form(None, customer_id)
    page = FormPage(lambda: render_template("workorders/form.html", form=form, work_order=None), form)
    if form.validate_on_submit():
        work_order = services.create_work_order(
            customer_id=form.customer_id.data, created_by=current_user, **_details(form)
        )
        flash(f"Work order #{work_order.number} opened.", "success")
        return redirect(url_for("workorders.show", work_order_id=work_order.id))
    return page.show()


def _show_page(work_order_id: int, **forms) -> str:
    """The work order page; `forms` carries a form with errors back into its place."""
    work_order = queries.load_for_page(work_order_id)
    if work_order is None:
        abort(404)
    canned_form = forms.get("canned_form") or AddCannedJobForm(formdata=None)
    canned_form.canned_job_id.choices = [SelectChoice("", "Pick a canned job…")] + [
        SelectChoice(str(canned.id), canned.title) for canned in queries.canned_job_choices()
    ]
    return render_template(
        "workorders/show.html",
        work_order=work_order,
        events=queries.events_of(work_order),
        totals=work_order_totals(work_order, active_tenant()),
        job_subtotal=job_subtotal,
        line_net=line_net,
        editable=services.is_editable(work_order) and current_user.can("workorders.edit"),
        targets=services.status_targets(current_user, work_order),
        flow=flow,
        job_form=forms.get("job_form") or JobForm(formdata=None),
        line_form=forms.get("line_form") or LineForm(formdata=None),
        blank_line_form=LineForm(formdata=None),
        line_job_id=forms.get("line_job_id"),
        canned_form=canned_form,
        currency=active_tenant().currency,
        panels=gather_panels(signals.page_panels, work_order, user=current_user),
    )


@bp.route("/<int:work_order_id>")
@permission_required("workorders.view")
def show(work_order_id: int):
    """One work order: details, jobs and lines with totals, status buttons, timeline."""
    return _show_page(work_order_id)


@bp.route("/<int:work_order_id>/edit", methods=["GET", "POST"])
@permission_required("workorders.edit")
def edit(work_order_id: int):
    """Change a work order's details."""
    work_order = get_or_404(WorkOrder, work_order_id)
    form = _work_order_form(work_order, work_order.customer_id)
    page = FormPage(lambda: render_template("workorders/form.html", form=form, work_order=work_order), form)
    if form.validate_on_submit():
        services.update_work_order(work_order, **_details(form))
        flash(f"Work order #{work_order.number} saved.", "success")
        return redirect(url_for("workorders.show", work_order_id=work_order.id))
    return page.show()


@bp.route("/<int:work_order_id>/status", methods=["POST"])
@permission_required("workorders.update_status")
def change_status(work_order_id: int):
    """Move a work order to another status (from its page or the board)."""
    work_order = get_or_404(WorkOrder, work_order_id)
    form = StatusForm()
    page = FormPage(lambda: _show_page(work_order_id))
    if not form.validate():
        flash("Keep the note under 500 characters." if form.note.errors else "Pick a status to move to.", "error")
        return page.show(400)
    services.change_status(
        work_order,
        form.status.data,
        current_user,
        note=form.note.data or "",
        expected_from=form.from_status.data or None,
    )
    flash(f"Work order #{work_order.number} is now “{work_order.status_label}”.", "success")
    back = url_for("workorders.board") if form.back_to.data == "board" else None
    return redirect(back or url_for("workorders.show", work_order_id=work_order.id))


# --- jobs and lines --------------------------------------------------------------------------


def _back_to(work_order_id: int, anchor: str | None = None):
    return redirect(url_for("workorders.show", work_order_id=work_order_id, _anchor=anchor))


@bp.route("/<int:work_order_id>/jobs", methods=["POST"])
@permission_required("workorders.edit")
def add_job(work_order_id: int):
    """Add a job to a work order."""
    work_order = get_or_404(WorkOrder, work_order_id)
    form = JobForm()
    page = FormPage(lambda: _show_page(work_order_id, job_form=form), form)
    if not form.validate():
        return page.show()
    job = jobs.add_job(work_order, title=form.title.data, notes=form.notes.data, recommended=form.recommended.data)
    flash(f"Job “{job.title}” added. Now add its labor and parts.", "success")
    return _back_to(work_order_id, f"job-{job.id}")


@bp.route("/<int:work_order_id>/canned-job", methods=["POST"])
@permission_required("workorders.edit")
def add_canned_job(work_order_id: int):
    """Copy a canned job into a work order."""
    work_order = get_or_404(WorkOrder, work_order_id)
    form = AddCannedJobForm()
    form.canned_job_id.choices = [SelectChoice("", "")] + [
        SelectChoice(str(canned.id), canned.title) for canned in queries.canned_job_choices()
    ]
    page = FormPage(lambda: _show_page(work_order_id, canned_form=form), form)
    if not form.validate():
        return page.show()
    job = jobs.add_canned_job(work_order, form.canned_job_id.data)
    flash(f"Job “{job.title}” added from the canned jobs.", "success")
    return _back_to(work_order_id, f"job-{job.id}")


@bp.route("/jobs/<int:job_id>/edit", methods=["GET", "POST"])
@permission_required("workorders.edit")
def edit_job(job_id: int):
    """Rename a job or change its notes."""
    job = get_or_404(Job, job_id)
    work_order = get_or_404(WorkOrder, job.work_order_id)
    form = JobForm(obj=job)
    page = FormPage(
        lambda: render_template("workorders/job_form.html", form=form, job=job, work_order=work_order), form
    )
    if form.validate_on_submit():
        jobs.update_job(job, title=form.title.data, notes=form.notes.data, recommended=form.recommended.data)
        flash("Job saved.", "success")
        return _back_to(work_order.id, f"job-{job.id}")
    return page.show()


@bp.route("/jobs/<int:job_id>/delete", methods=["POST"])
@permission_required("workorders.edit")
def delete_job(job_id: int):
    """Remove a job and its lines."""
    job = get_or_404(Job, job_id)
    work_order_id, title = job.work_order_id, job.title
    FormPage(lambda: _show_page(work_order_id))
    jobs.delete_job(job)
    flash(f"Job “{title}” removed.", "success")
    return _back_to(work_order_id, "jobs")


@bp.route("/jobs/<int:job_id>/lines", methods=["POST"])
@permission_required("workorders.edit")
def add_line(job_id: int):
    """Add labor, a part, a fee or a discount to a job."""
    job = get_or_404(Job, job_id)
    form = LineForm()
    page = FormPage(lambda: _show_page(job.work_order_id, line_form=form, line_job_id=job.id), form)
    if not form.validate():
        return page.show()
    jobs.add_line(job, labor_rate=active_tenant().labor_rate, **form.values())
    flash("Line added.", "success")
    return _back_to(job.work_order_id, f"job-{job.id}")


@bp.route("/lines/<int:line_id>/edit", methods=["GET", "POST"])
@permission_required("workorders.edit")
def edit_line(line_id: int):
    """Change a line of a job."""
    line = get_or_404(JobLine, line_id)
    job = get_or_404(Job, line.job_id)
    work_order = get_or_404(WorkOrder, job.work_order_id)
    form = LineForm(obj=line)
    page = FormPage(
        lambda: render_template(
            "workorders/line_form.html",
            form=form,
            line=line,
            job=job,
            work_order=work_order,
            cancel_url=url_for("workorders.show", work_order_id=work_order.id, _anchor=f"job-{job.id}"),
        ),
        form,
    )
    if form.validate_on_submit():
        jobs.update_line(line, labor_rate=active_tenant().labor_rate, **form.values())
        flash("Line saved.", "success")
        return _back_to(work_order.id, f"job-{job.id}")
    return page.show()


@bp.route("/lines/<int:line_id>/delete", methods=["POST"])
@permission_required("workorders.edit")
def delete_line(line_id: int):
    """Remove a line from a job."""
    line = get_or_404(JobLine, line_id)
    job = get_or_404(Job, line.job_id)
    work_order_id = job.work_order_id
    FormPage(lambda: _show_page(work_order_id))
    jobs.delete_line(line)
    flash("Line removed.", "success")
    return _back_to(work_order_id, f"job-{job.id}")
