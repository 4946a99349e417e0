"""Work order pages: list and "my jobs", the job board, a work order with its jobs and lines,
the status flow, and the canned jobs a shop reuses."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from saas.auth.decorators import permission_required
from saas.auth.roles import Role
from saas.core.extensions import db
from saas.core.tenancy import current_tenant, get_or_404, is_valid_id
from saas.customers.models import Customer
from saas.invoicing.services import document_number, invoices_of_work_order
from saas.workorders import canned as canned_service
from saas.workorders import services
from saas.workorders import status as flow
from saas.workorders.forms import (
    AddCannedJobForm,
    CannedJobForm,
    JobForm,
    LineForm,
    StatusForm,
    WorkOrderForm,
    from_local_input,
    optional_int,
    to_local_input,
)
from saas.workorders.models import CannedJob, CannedJobLine, Job, JobLine, Status, WorkOrder
from saas.workorders.pricing import job_subtotal, line_net, work_order_totals

bp = Blueprint("workorders", __name__, template_folder="templates", url_prefix="/work-orders")

PER_PAGE = 25


def _failed(error: services.WorkOrderError, render):
    """Undo what the request did, show the rule that was broken, answer its status code."""
    db.session.rollback()
    flash(str(error), "error")
    return render(error.status)


def _percent(rate) -> str:
    """0.08250 -> "8.25 %"."""
    return f"{format((Decimal(rate) * 100).normalize(), 'f')} %"


def _quantity(value) -> str:
    """1.500 -> "1.5", 2.000 -> "2"."""
    return format(Decimal(value).normalize(), "f")


def _arg_int(name: str) -> int | None:
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
    technician_id = current_user.id if mine else _arg_int("technician")
    search = request.args.get("q", "")[:100]
    query = services.work_order_search(status=status or None, technician_id=technician_id, term=search)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template(
        "workorders/index.html",
        page=page,
        mine=mine,
        status=status,
        technician_id=technician_id,
        search=search,
        staff=services.active_staff(),
        statuses=list(Status),
    )


@bp.route("/board")
@permission_required("workorders.view")
def board():
    """The job board: open work orders in columns by status, moved with a button."""
    mine = request.args.get("mine") == "1"
    columns = services.board(current_user.id if mine else None)
    office = services.is_office(current_user)
    may_move = current_user.can("workorders.update_status")
    moves = {
        work_order.id: flow.ui_targets(work_order.status, office=office)
        for cards in columns.values()
        for work_order in cards
        if may_move and (office or any(t.user_id == current_user.id for t in work_order.technicians))
    }
    return render_template("workorders/board.html", columns=columns, moves=moves, mine=mine, flow=flow)


# --- one work order --------------------------------------------------------------------------


def _work_order_form(work_order: WorkOrder | None, customer_id: int | None) -> WorkOrderForm:
    """The form with this shop's customers, assets (labelled with their customer) and staff as choices."""
    form = WorkOrderForm(obj=work_order)
    if work_order is None:
        form.customer_id.choices = [SelectChoice("", "Pick a customer…")] + [
            SelectChoice(str(customer.id), customer.name) for customer in services.customer_choices()
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
        for asset in services.asset_choices(customer_id if request.method == "GET" else None)
    ]
    form.technician_ids.choices = [
        SelectChoice(str(user.id), f"{user.name} ({user.role_label})") for user in services.active_staff()
    ]
    if request.method == "GET" and work_order is not None:
        form.technician_ids.data = [row.user_id for row in work_order.technicians]
        form.promised_at.data = to_local_input(work_order.promised_at, current_tenant.timezone)
    return form


def _details(form: WorkOrderForm) -> dict:
    return {
        "asset_id": form.asset_id.data,
        "concern": form.concern.data,
        "diagnosis": form.diagnosis.data,
        "internal_notes": form.internal_notes.data,
        "odometer_in": form.odometer_in.data,
        "technician_ids": form.technician_ids.data or [],
        "promised_at": from_local_input(form.promised_at.data, current_tenant.timezone),
    }


@bp.route("/new", methods=["GET", "POST"])
@permission_required("workorders.edit")
def new():
    """Open a work order for a customer (`?customer_id=` preselects one)."""
    preselected = request.args.get("customer_id")
    customer_id = get_or_404(Customer, _arg_int("customer_id") or 0).id if preselected else None
    form = _work_order_form(None, customer_id)

    def render(code: int = 200):
        return render_template("workorders/form.html", form=form, work_order=None), code

    if form.validate_on_submit():
        try:
            work_order = services.create_work_order(
                customer_id=form.customer_id.data, created_by=current_user, **_details(form)
            )
        except services.WorkOrderError as error:
            return _failed(error, render)
        db.session.commit()
        flash(f"Work order #{work_order.number} opened.", "success")
        return redirect(url_for("workorders.show", work_order_id=work_order.id))
    return render(400 if form.errors else 200)


def _render_show(work_order_id: int, code: int = 200, **forms):
    """The work order page; `forms` carries a form with errors back into its place."""
    work_order = services.load_for_page(work_order_id)
    if work_order is None:
        abort(404)
    canned_form = forms.get("canned_form") or AddCannedJobForm(formdata=None)
    canned_form.canned_job_id.choices = [SelectChoice("", "Pick a canned job…")] + [
        SelectChoice(str(canned.id), canned.title) for canned in services.canned_job_choices()
    ]
    office = services.is_office(current_user)
    assigned = any(t.user_id == current_user.id for t in work_order.technicians)
    may_move = current_user.can("workorders.update_status") and (office or assigned)
    return render_template(
        "workorders/show.html",
        work_order=work_order,
        events=services.events_of(work_order),
        totals=work_order_totals(work_order, current_tenant),
        job_subtotal=job_subtotal,
        line_net=line_net,
        editable=services.is_editable(work_order) and current_user.can("workorders.edit"),
        targets=flow.ui_targets(work_order.status, office=office) if may_move else [],
        flow=flow,
        job_form=forms.get("job_form") or JobForm(formdata=None),
        line_form=forms.get("line_form") or LineForm(formdata=None),
        blank_line_form=LineForm(formdata=None),
        line_job_id=forms.get("line_job_id"),
        percent=_percent,
        document_number=document_number,
        quantity=_quantity,
        canned_form=canned_form,
        currency=current_tenant.currency,
        invoices=invoices_of_work_order(work_order.id) if current_user.can("invoices.view") else [],
    ), code


@bp.route("/<int:work_order_id>")
@permission_required("workorders.view")
def show(work_order_id: int):
    """One work order: details, jobs and lines with totals, status buttons, timeline."""
    return _render_show(work_order_id)


@bp.route("/<int:work_order_id>/edit", methods=["GET", "POST"])
@permission_required("workorders.edit")
def edit(work_order_id: int):
    """Change a work order's details."""
    work_order = get_or_404(WorkOrder, work_order_id)
    form = _work_order_form(work_order, work_order.customer_id)

    def render(code: int = 200):
        return render_template("workorders/form.html", form=form, work_order=work_order), code

    if form.validate_on_submit():
        try:
            services.update_work_order(work_order, **_details(form))
        except services.WorkOrderError as error:
            return _failed(error, render)
        db.session.commit()
        flash(f"Work order #{work_order.number} saved.", "success")
        return redirect(url_for("workorders.show", work_order_id=work_order.id))
    return render(400 if form.errors else 200)


@bp.route("/<int:work_order_id>/status", methods=["POST"])
@permission_required("workorders.update_status")
def change_status(work_order_id: int):
    """Move a work order to another status (from its page or the board)."""
    work_order = get_or_404(WorkOrder, work_order_id)
    form = StatusForm()
    back = url_for("workorders.board") if form.back_to.data == "board" else None
    if not form.validate():
        flash("Keep the note under 500 characters." if form.note.errors else "Pick a status to move to.", "error")
        return _render_show(work_order_id, 400)
    try:
        services.change_status(
            work_order,
            form.status.data,
            current_user,
            note=form.note.data or "",
            expected_from=form.from_status.data or None,
        )
    except services.WorkOrderError as error:
        return _failed(error, lambda code: _render_show(work_order_id, code))
    db.session.commit()
    flash(f"Work order #{work_order.number} is now “{work_order.status_label}”.", "success")
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
    if not form.validate():
        return _render_show(work_order_id, 400, job_form=form)
    try:
        job = services.add_job(
            work_order, title=form.title.data, notes=form.notes.data, recommended=form.recommended.data
        )
    except services.WorkOrderError as error:
        return _failed(error, lambda code: _render_show(work_order_id, code, job_form=form))
    db.session.commit()
    flash(f"Job “{job.title}” added. Now add its labor and parts.", "success")
    return _back_to(work_order_id, f"job-{job.id}")


@bp.route("/<int:work_order_id>/canned-job", methods=["POST"])
@permission_required("workorders.edit")
def add_canned_job(work_order_id: int):
    """Copy a canned job into a work order."""
    work_order = get_or_404(WorkOrder, work_order_id)
    form = AddCannedJobForm()
    form.canned_job_id.choices = [SelectChoice("", "")] + [
        SelectChoice(str(canned.id), canned.title) for canned in services.canned_job_choices()
    ]
    if not form.validate():
        return _render_show(work_order_id, 400, canned_form=form)
    try:
        job = services.add_canned_job(work_order, form.canned_job_id.data)
    except services.WorkOrderError as error:
        return _failed(error, lambda code: _render_show(work_order_id, code))
    db.session.commit()
    flash(f"Job “{job.title}” added from the canned jobs.", "success")
    return _back_to(work_order_id, f"job-{job.id}")


@bp.route("/jobs/<int:job_id>/edit", methods=["GET", "POST"])
@permission_required("workorders.edit")
def edit_job(job_id: int):
    """Rename a job or change its notes."""
    job = get_or_404(Job, job_id)
    work_order = get_or_404(WorkOrder, job.work_order_id)
    form = JobForm(obj=job)

    def render(code: int = 200):
        return render_template("workorders/job_form.html", form=form, job=job, work_order=work_order), code

    if form.validate_on_submit():
        try:
            services.update_job(job, title=form.title.data, notes=form.notes.data, recommended=form.recommended.data)
        except services.WorkOrderError as error:
            return _failed(error, render)
        db.session.commit()
        flash("Job saved.", "success")
        return _back_to(work_order.id, f"job-{job.id}")
    return render(400 if form.errors else 200)


@bp.route("/jobs/<int:job_id>/delete", methods=["POST"])
@permission_required("workorders.edit")
def delete_job(job_id: int):
    """Remove a job and its lines."""
    job = get_or_404(Job, job_id)
    work_order_id, title = job.work_order_id, job.title
    try:
        services.delete_job(job)
    except services.WorkOrderError as error:
        return _failed(error, lambda code: _render_show(work_order_id, code))
    db.session.commit()
    flash(f"Job “{title}” removed.", "success")
    return _back_to(work_order_id, "jobs")


@bp.route("/jobs/<int:job_id>/lines", methods=["POST"])
@permission_required("workorders.edit")
def add_line(job_id: int):
    """Add labor, a part, a fee or a discount to a job."""
    job = get_or_404(Job, job_id)
    form = LineForm()

    def render(code: int):
        return _render_show(job.work_order_id, code, line_form=form, line_job_id=job.id)

    if not form.validate():
        return render(400)
    try:
        services.add_line(job, labor_rate=current_tenant.labor_rate, **form.values())
    except services.WorkOrderError as error:
        return _failed(error, render)
    db.session.commit()
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

    def render(code: int = 200):
        return render_template(
            "workorders/line_form.html",
            form=form,
            line=line,
            job=job,
            work_order=work_order,
            cancel_url=url_for("workorders.show", work_order_id=work_order.id, _anchor=f"job-{job.id}"),
        ), code

    if form.validate_on_submit():
        try:
            services.update_line(line, labor_rate=current_tenant.labor_rate, **form.values())
        except services.WorkOrderError as error:
            return _failed(error, render)
        db.session.commit()
        flash("Line saved.", "success")
        return _back_to(work_order.id, f"job-{job.id}")
    return render(400 if form.errors else 200)


@bp.route("/lines/<int:line_id>/delete", methods=["POST"])
@permission_required("workorders.edit")
def delete_line(line_id: int):
    """Remove a line from a job."""
    line = get_or_404(JobLine, line_id)
    job = get_or_404(Job, line.job_id)
    work_order_id = job.work_order_id
    try:
        services.delete_line(line)
    except services.WorkOrderError as error:
        return _failed(error, lambda code: _render_show(work_order_id, code))
    db.session.commit()
    flash("Line removed.", "success")
    return _back_to(work_order_id, f"job-{job.id}")


# --- canned jobs -----------------------------------------------------------------------------


@bp.route("/canned-jobs", methods=["GET", "POST"])
@permission_required("canned_jobs.manage")
def canned_jobs():
    """The shop's canned jobs; add one."""
    form = CannedJobForm()

    def render(code: int = 200):
        return render_template(
            "workorders/canned_index.html",
            canned_jobs=canned_service.canned_jobs(),
            form=form,
            job_subtotal=job_subtotal,
            currency=current_tenant.currency,
        ), code

    if form.validate_on_submit():
        try:
            canned = canned_service.save_canned_job(None, title=form.title.data, description=form.description.data)
        except services.WorkOrderError as error:
            return _failed(error, render)
        db.session.commit()
        flash(f"Canned job “{canned.title}” created. Add its labor and parts.", "success")
        return redirect(url_for("workorders.canned_job", canned_job_id=canned.id))
    return render(400 if form.errors else 200)


def _render_canned(canned: CannedJob, code: int = 200, form=None, line_form=None):
    return render_template(
        "workorders/canned_form.html",
        canned=canned,
        lines=canned.lines,
        form=form or CannedJobForm(obj=canned, formdata=None),
        line_form=line_form or LineForm(formdata=None),
        line_net=line_net,
        job_subtotal=job_subtotal,
        quantity=_quantity,
        currency=current_tenant.currency,
    ), code


@bp.route("/canned-jobs/<int:canned_job_id>", methods=["GET", "POST"])
@permission_required("canned_jobs.manage")
def canned_job(canned_job_id: int):
    """One canned job: rename it, and its lines."""
    canned = get_or_404(CannedJob, canned_job_id)
    form = CannedJobForm(obj=canned)
    if form.validate_on_submit():
        try:
            canned_service.save_canned_job(canned, title=form.title.data, description=form.description.data)
        except services.WorkOrderError as error:
            return _failed(error, lambda code: _render_canned(get_or_404(CannedJob, canned_job_id), code, form=form))
        db.session.commit()
        flash("Canned job saved.", "success")
        return redirect(url_for("workorders.canned_job", canned_job_id=canned.id))
    return _render_canned(canned, 400 if form.errors else 200, form=form)


@bp.route("/canned-jobs/<int:canned_job_id>/delete", methods=["POST"])
@permission_required("canned_jobs.manage")
def delete_canned_job(canned_job_id: int):
    """Remove a canned job (jobs copied from it stay)."""
    canned = get_or_404(CannedJob, canned_job_id)
    title = canned.title
    canned_service.delete_canned_job(canned)
    db.session.commit()
    flash(f"Canned job “{title}” removed.", "success")
    return redirect(url_for("workorders.canned_jobs"))


@bp.route("/canned-jobs/<int:canned_job_id>/lines", methods=["POST"])
@permission_required("canned_jobs.manage")
def add_canned_line(canned_job_id: int):
    """Add a line to a canned job."""
    canned = get_or_404(CannedJob, canned_job_id)
    form = LineForm()
    if not form.validate():
        return _render_canned(canned, 400, line_form=form)
    try:
        canned_service.add_canned_line(canned, labor_rate=current_tenant.labor_rate, **form.values())
    except services.WorkOrderError as error:
        return _failed(error, lambda code: _render_canned(get_or_404(CannedJob, canned_job_id), code, line_form=form))
    db.session.commit()
    flash("Line added.", "success")
    return redirect(url_for("workorders.canned_job", canned_job_id=canned.id))


@bp.route("/canned-jobs/lines/<int:line_id>/edit", methods=["GET", "POST"])
@permission_required("canned_jobs.manage")
def edit_canned_line(line_id: int):
    """Change a line of a canned job."""
    line = get_or_404(CannedJobLine, line_id)
    canned = get_or_404(CannedJob, line.canned_job_id)
    form = LineForm(obj=line)

    def render(code: int = 200):
        return render_template(
            "workorders/line_form.html",
            form=form,
            line=line,
            job=canned,
            work_order=None,
            cancel_url=url_for("workorders.canned_job", canned_job_id=canned.id),
        ), code

    if form.validate_on_submit():
        try:
            canned_service.update_canned_line(line, labor_rate=current_tenant.labor_rate, **form.values())
        except services.WorkOrderError as error:
            return _failed(error, render)
        db.session.commit()
        flash("Line saved.", "success")
        return redirect(url_for("workorders.canned_job", canned_job_id=canned.id))
    return render(400 if form.errors else 200)


@bp.route("/canned-jobs/lines/<int:line_id>/delete", methods=["POST"])
@permission_required("canned_jobs.manage")
def delete_canned_line(line_id: int):
    """Remove a line from a canned job."""
    line = get_or_404(CannedJobLine, line_id)
    canned_job_id = line.canned_job_id
    canned_service.delete_canned_line(line)
    db.session.commit()
    flash("Line removed.", "success")
    return redirect(url_for("workorders.canned_job", canned_job_id=canned_job_id))
