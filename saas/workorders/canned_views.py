"""Canned job pages: the jobs a shop does every day, kept as templates with their lines.

They live on the work orders blueprint (`/work-orders/canned-jobs`); `create_app` imports this
module with the blueprint's views.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from saas.auth.decorators import permission_required
from saas.core.requests import FormPage
from saas.core.tenancy import active_tenant, get_or_404
from saas.workorders import canned as canned_service
from saas.workorders.forms import CannedJobForm, LineForm
from saas.workorders.models import CannedJob, CannedJobLine
from saas.workorders.pricing import job_subtotal, line_net
from saas.workorders.views import bp


@bp.route("/canned-jobs", methods=["GET", "POST"])
@permission_required("canned_jobs.manage")
def canned_jobs():
    """The shop's canned jobs; add one."""
    form = CannedJobForm()
    page = FormPage(
        lambda: render_template(
            "workorders/canned_index.html",
            canned_jobs=canned_service.canned_jobs(),
            form=form,
            job_subtotal=job_subtotal,
            currency=active_tenant().currency,
        ),
        form,
    )
    if form.validate_on_submit():
        canned = canned_service.save_canned_job(None, title=form.title.data, description=form.description.data)
        flash(f"Canned job “{canned.title}” created. Add its labor and parts.", "success")
        return redirect(url_for("workorders.canned_job", canned_job_id=canned.id))
    return page.show()


def _canned_page(canned_job_id: int, form=None, line_form=None) -> FormPage:
    """The page of one canned job, shown again with `form` or `line_form` when they are refused."""

    def render() -> str:
        canned = get_or_404(CannedJob, canned_job_id)
        return render_template(
            "workorders/canned_form.html",
            canned=canned,
            lines=canned.lines,
            form=form or CannedJobForm(obj=canned, formdata=None),
            line_form=line_form or LineForm(formdata=None),
            line_net=line_net,
            job_subtotal=job_subtotal,
            currency=active_tenant().currency,
        )

    return FormPage(render, form or line_form)


@bp.route("/canned-jobs/<int:canned_job_id>", methods=["GET", "POST"])
@permission_required("canned_jobs.manage")
def canned_job(canned_job_id: int):
    """One canned job: rename it, and its lines."""
    canned = get_or_404(CannedJob, canned_job_id)
    form = CannedJobForm(obj=canned)
    page = _canned_page(canned_job_id, form=form)
    if form.validate_on_submit():
        canned_service.save_canned_job(canned, title=form.title.data, description=form.description.data)
        flash("Canned job saved.", "success")
        return redirect(url_for("workorders.canned_job", canned_job_id=canned.id))
    return page.show()


@bp.route("/canned-jobs/<int:canned_job_id>/delete", methods=["POST"])
@permission_required("canned_jobs.manage")
def delete_canned_job(canned_job_id: int):
    """Remove a canned job (jobs copied from it stay)."""
    canned = get_or_404(CannedJob, canned_job_id)
    title = canned.title
    canned_service.delete_canned_job(canned)
    flash(f"Canned job “{title}” removed.", "success")
    return redirect(url_for("workorders.canned_jobs"))


@bp.route("/canned-jobs/<int:canned_job_id>/lines", methods=["POST"])
@permission_required("canned_jobs.manage")
def add_canned_line(canned_job_id: int):
    """Add a line to a canned job."""
    canned = get_or_404(CannedJob, canned_job_id)
    form = LineForm()
    page = _canned_page(canned_job_id, line_form=form)
    if not form.validate():
        return page.show()
    canned_service.add_canned_line(canned, labor_rate=active_tenant().labor_rate, **form.values())
    flash("Line added.", "success")
    return redirect(url_for("workorders.canned_job", canned_job_id=canned.id))


@bp.route("/canned-jobs/lines/<int:line_id>/edit", methods=["GET", "POST"])
@permission_required("canned_jobs.manage")
def edit_canned_line(line_id: int):
    """Change a line of a canned job."""
    line = get_or_404(CannedJobLine, line_id)
    canned = get_or_404(CannedJob, line.canned_job_id)
    form = LineForm(obj=line)
    page = FormPage(
        lambda: render_template(
            "workorders/line_form.html",
            form=form,
            line=line,
            job=canned,
            work_order=None,
            cancel_url=url_for("workorders.canned_job", canned_job_id=canned.id),
        ),
        form,
    )
    if form.validate_on_submit():
        canned_service.update_canned_line(line, labor_rate=active_tenant().labor_rate, **form.values())
        flash("Line saved.", "success")
        return redirect(url_for("workorders.canned_job", canned_job_id=canned.id))
    return page.show()


@bp.route("/canned-jobs/lines/<int:line_id>/delete", methods=["POST"])
@permission_required("canned_jobs.manage")
def delete_canned_line(line_id: int):
    """Remove a line from a canned job."""
    line = get_or_404(CannedJobLine, line_id)
    canned_job_id = line.canned_job_id
    canned_service.delete_canned_line(line)
    flash("Line removed.", "success")
    return redirect(url_for("workorders.canned_job", canned_job_id=canned_job_id))
