"""Inspection pages: the shop's checklists, an inspection on a work order (rated from a phone,
with photos), and the customer's view of the photos through the estimate link.

Two blueprints on the shop's host:

* `inspections` (staff): templates, starting, rating, photos, finishing.
* `inspection_public` (the customer, no account): a photo of the work order the estimate
  token names, addressed by the random part of its key, never by its id.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from saas.auth.decorators import permission_required
from saas.core.extensions import db, limiter
from saas.core.requests import FormPage, private_page
from saas.core.tenancy import get_or_404
from saas.documents import services as documents
from saas.inspections import services
from saas.inspections.models import Inspection, InspectionItem, InspectionTemplate, InspectionTemplateItem, Rating
from saas.workorders import approval
from saas.workorders.models import WorkOrder

bp = Blueprint("inspections", __name__, template_folder="templates", url_prefix="/inspections")
public_bp = Blueprint("inspection_public", __name__, template_folder="templates")


def _problem_page(back: str) -> FormPage:
    """A refusal on the phone: the message (flashed) on a page of its own with a link back."""
    return FormPage(lambda: render_template("inspections/problem.html", back=back))


# --- templates -------------------------------------------------------------------------------------


@bp.route("/templates", methods=["GET", "POST"])
@permission_required(services.TEMPLATES_PERMISSION)
def templates():
    """The shop's checklists; POST adds one (one item per line)."""
    page = FormPage(_templates_page)
    if request.method == "POST":
        template = services.create_template(
            request.form.get("name", ""), request.form.get("items", ""), request.form.get("description", "")
        )
        flash(f"Checklist “{template.name}” added.", "success")
        return redirect(url_for(".templates"))
    return page.show()


def _templates_page() -> str:
    return render_template("inspections/templates.html", templates=list(db.session.scalars(services.templates_query())))


@bp.route("/templates/<int:template_id>/items", methods=["POST"])
@permission_required(services.TEMPLATES_PERMISSION)
def add_template_item(template_id: int):
    """Add a point to a checklist."""
    template = get_or_404(InspectionTemplate, template_id)
    FormPage(_templates_page)
    services.add_template_item(template, request.form.get("label", ""))
    return redirect(url_for(".templates") + f"#template-{template.id}")


@bp.route("/template-items/<int:item_id>/delete", methods=["POST"])
@permission_required(services.TEMPLATES_PERMISSION)
def delete_template_item(item_id: int):
    """Remove a point from a checklist."""
    item = get_or_404(InspectionTemplateItem, item_id)
    template_id = item.template_id
    services.delete_template_item(item)
    return redirect(url_for(".templates") + f"#template-{template_id}")


@bp.route("/templates/<int:template_id>/delete", methods=["POST"])
@permission_required(services.TEMPLATES_PERMISSION)
def delete_template(template_id: int):
    """Remove a checklist (inspections already done keep their items)."""
    template = get_or_404(InspectionTemplate, template_id)
    name = template.name
    services.delete_template(template)
    flash(f"Checklist “{name}” deleted.", "success")
    return redirect(url_for(".templates"))


# --- inspections on a work order --------------------------------------------------------------------


@bp.route("/work-orders/<int:work_order_id>/start", methods=["POST"])
@permission_required(services.INSPECT_PERMISSION)
def start(work_order_id: int):
    """Start an inspection of a work order from one of the shop's checklists."""
    work_order = get_or_404(WorkOrder, work_order_id)
    _problem_page(url_for("workorders.show", work_order_id=work_order.id))
    raw = request.form.get("template_id", "")
    template = get_or_404(InspectionTemplate, int(raw)) if raw.isdigit() else None  # another shop's: 404
    inspection = services.start_inspection(work_order, template, current_user)
    return redirect(url_for(".show", inspection_id=inspection.id))


@bp.route("/<int:inspection_id>")
@permission_required(services.INSPECT_PERMISSION)
def show(inspection_id: int):
    """The inspection: each item with its rating, notes and photos; made for a phone."""
    inspection = services.load_inspection(inspection_id)
    if inspection is None:
        abort(404)
    return render_template(
        "inspections/show.html", inspection=inspection, work_order=inspection.work_order, ratings=list(Rating)
    )


@bp.route("/items/<int:item_id>", methods=["POST"])
@permission_required(services.INSPECT_PERMISSION)
def save_item(item_id: int):
    """Rate an item, with notes, and optionally attach a photo taken with the phone's camera."""
    item = get_or_404(InspectionItem, item_id)
    back = url_for(".show", inspection_id=item.inspection_id) + f"#item-{item.id}"
    _problem_page(back)
    services.rate_item(item, request.form.get("rating"), request.form.get("notes"))
    upload = request.files.get("photo")
    if upload is not None and upload.filename:
        services.add_photo(item, upload, current_user)
    flash(f"“{item.label}” saved.", "success")
    return redirect(back, code=303)


@bp.route("/items/<int:item_id>/photos", methods=["POST"])
@permission_required(services.INSPECT_PERMISSION)
def add_photo(item_id: int):
    """Attach a photo to an item (without changing its rating)."""
    item = get_or_404(InspectionItem, item_id)
    back = url_for(".show", inspection_id=item.inspection_id) + f"#item-{item.id}"
    _problem_page(back)
    services.add_photo(item, request.files.get("photo"), current_user)
    flash("Photo added.", "success")
    return redirect(back, code=303)


@bp.route("/<int:inspection_id>/finish", methods=["POST"])
@permission_required(services.INSPECT_PERMISSION)
def finish(inspection_id: int):
    """Finish: items needing attention become recommended jobs on the work order."""
    inspection = get_or_404(Inspection, inspection_id)
    _problem_page(url_for(".show", inspection_id=inspection.id))
    jobs = services.finish_inspection(inspection, current_user)
    flash(
        f"Inspection finished: {len(jobs)} recommended job{'s' if len(jobs) != 1 else ''} added to the estimate. "
        "Send the estimate so the customer sees the photos.",
        "success",
    )
    return redirect(url_for("workorders.show", work_order_id=inspection.work_order_id) + "#jobs")


# --- the customer's photos -----------------------------------------------------------------------------


public_bp.after_request(private_page)  # photos reached through the estimate's personal link


@public_bp.route("/estimate/<token>/photos/<ref>")
@limiter.limit("120 per minute")
def photo(token: str, ref: str):
    """A photo of the estimate's inspection: the token authorizes, and only for its own work order."""
    work_order = approval.work_order_of_link(token)
    document = services.customer_photo(work_order.id, ref) if work_order is not None else None
    if document is None:
        abort(404)
    return documents.stored_file(document)
