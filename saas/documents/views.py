"""Document pages: the documents of a customer, a vehicle/device or a work order; upload, download, delete.

A download is authorized (the shop from the host, the role from the user) and then handed to
the storage backend: a redirect to a short-lived presigned URL on S3, the file itself from the
local folder, always as an attachment. Every download is in the access log (`services.download`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from saas.auth.decorators import permission_required, safe_next_url
from saas.core.extensions import db
from saas.core.requests import FormPage
from saas.core.tenancy import get_or_404
from saas.customers.models import Asset, Customer
from saas.documents import services
from saas.documents.files import human_size
from saas.documents.models import Document
from saas.documents.sections import kind_choices
from saas.workorders.models import WorkOrder

bp = Blueprint("documents", __name__, template_folder="templates", url_prefix="/documents")

PER_PAGE = 25


@dataclass(frozen=True)
class Owner:
    """What a list of documents hangs off: its row, and how to name and link it."""

    kind: str  # "customer" | "asset" | "work_order"
    row: object
    title: str
    back_url: str

    @property
    def filter(self) -> dict:
        return {f"{self.kind}_id": self.row.id}

    @property
    def page_url(self) -> str:
        return url_for(f"documents.{self.kind}", **{f"{self.kind}_id": self.row.id})


def _owner(kind: str, row) -> Owner:
    if kind == "customer":
        return Owner(kind, row, row.name, url_for("customers.show", customer_id=row.id))
    if kind == "asset":
        return Owner(kind, row, row.label, url_for("customers.show", customer_id=row.customer_id))
    return Owner(kind, row, f"Work order #{row.number}", url_for("workorders.show", work_order_id=row.id))


@bp.app_template_filter("filesize")
def filesize(size: int | None) -> str:
    """`{{ document.size_bytes | filesize }}` -> "1.5 MB"."""
    return human_size(size)


@bp.app_template_global("may_delete_document")
def may_delete_document(document: Document) -> bool:
    """Whether the delete button shows: the service's own rule, for the logged-in person."""
    return services.may_delete(document, current_user)


# --- the lists and uploads ------------------------------------------------------------------------


@bp.route("/customers/<int:customer_id>", methods=["GET", "POST"])
@permission_required("customers.view")
def customer(customer_id: int):
    """A customer's documents; POST uploads one."""
    return _owner_page(_owner("customer", get_or_404(Customer, customer_id)))


@bp.route("/assets/<int:asset_id>", methods=["GET", "POST"])
@permission_required("customers.view")
def asset(asset_id: int):
    """A vehicle's or device's documents (registration papers, photos); POST uploads one."""
    return _owner_page(_owner("asset", get_or_404(Asset, asset_id)))


@bp.route("/work-orders/<int:work_order_id>", methods=["GET", "POST"])
@permission_required("workorders.view")
def work_order(work_order_id: int):
    """A work order's documents (authorizations, supplier invoices, photos); POST uploads one."""
    return _owner_page(_owner("work_order", get_or_404(WorkOrder, work_order_id)))


def _owner_page(owner: Owner):
    kind = request.form.get("kind", "")
    page = FormPage(lambda: _render_list(owner, kind))
    if request.method == "POST":
        document = services.store_document(
            request.files.get("file"), kind=kind, uploaded_by=current_user, **{owner.kind: owner.row}
        )
        flash(f"“{document.filename}” uploaded ({human_size(document.size_bytes)}).", "success")
        return redirect(safe_next_url(request.form.get("next")) or owner.page_url)
    return page.show()


def _render_list(owner: Owner, kind: str = "") -> str:
    page = db.paginate(services.documents_query(current_user, **owner.filter), per_page=PER_PAGE, error_out=False)
    return render_template(
        "documents/list.html",
        owner=owner,
        page=page,
        kinds=kind_choices(current_user),
        chosen_kind=kind,
        may_upload=services.may_upload(current_user, owner.kind),
    )


# --- one document ---------------------------------------------------------------------------------


@bp.route("/<int:document_id>/download")
@permission_required("customers.view")
def download(document_id: int):
    """Authorize, log, then hand over the file as an attachment (presigned redirect or stream)."""
    response = services.download(get_or_404(Document, document_id), current_user)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:document_id>/delete", methods=["POST"])
@permission_required("customers.view")
def delete(document_id: int):
    """Delete a document and its stored file (the office, or whoever uploaded it)."""
    document = get_or_404(Document, document_id)
    back = safe_next_url(request.form.get("next")) or _page_of(document)
    name = document.filename
    services.delete_document(document, current_user)
    flash(f"“{name}” deleted.", "success")
    return redirect(back)


def _page_of(document: Document) -> str:
    if document.inspection_item_id is not None:  # an inspection's photo: its work order shows the inspection
        return url_for("workorders.show", work_order_id=document.work_order_id)
    if document.work_order_id is not None:
        return url_for("documents.work_order", work_order_id=document.work_order_id)
    if document.asset_id is not None:
        return url_for("documents.asset", asset_id=document.asset_id)
    if document.customer_id is not None:
        return url_for("documents.customer", customer_id=document.customer_id)
    return url_for("customers.index")
