"""Data exports and erasure of one customer, for staff on the customer's page; the download link
that a person (or staff) uses to fetch an export's archive."""

from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, url_for
from flask_login import current_user

from saas.audit.services import log_access
from saas.auth.decorators import permission_required
from saas.core.requests import BackTo, private_page
from saas.core.storage import attachment_disposition
from saas.core.tenancy import get_or_404
from saas.customers.models import Customer
from saas.privacy import erasure, exports

bp = Blueprint("privacy_exports", __name__, template_folder="templates")
bp.after_request(private_page)  # a person's data, and the personal link to it


def _customer_page(customer_id: int) -> str:
    return url_for("customers.show", customer_id=customer_id, _anchor="privacy")


@bp.route("/customers/<int:customer_id>/data-export", methods=["POST"])
@permission_required("customers.edit")
def start(customer_id: int):
    """Prepare a ZIP of everything about this customer, documents included (a background job)."""
    customer = get_or_404(Customer, customer_id)
    BackTo(_customer_page(customer_id))
    exports.start_export([customer], user=current_user)
    flash("The export is being prepared; its download appears here when it is ready.", "info")
    return redirect(_customer_page(customer_id))


@bp.route("/data-exports/<int:export_id>/progress")
@permission_required("customers.edit")
def progress(export_id: int):
    """How far an export's job is (the customer page polls this while it builds)."""
    export = get_or_404(exports.DataExport, export_id)
    return jsonify(status=export.status, progress=export.progress)


@bp.route("/data-exports/<int:export_id>/download")
@permission_required("customers.edit")
def staff_download(export_id: int):
    """Staff fetch an export's archive (logged as a download of each customer's data)."""
    return _archive(get_or_404(exports.DataExport, export_id), "Downloaded their data export (ZIP)")


@bp.route("/privacy/exports/<token>")
def download(token: str):
    """The link mailed to a person: their archive, while the link lasts (logged)."""
    export = exports.export_for_link(token)
    if export is None:
        return Response("This link is not valid.\n", 404, mimetype="text/plain")
    return _archive(export, "Data export fetched through its download link")


def _archive(export: exports.DataExport, description: str) -> Response:
    data = exports.read_archive(export)
    for subject in export.subjects:
        log_access("download", "customer", subject.customer_id, description)
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = attachment_disposition(export.filename)
    return response


@bp.route("/customers/<int:customer_id>/erase", methods=["POST"])
@permission_required("privacy.erase")
def erase(customer_id: int):
    """Erase a customer's personal data everywhere, keeping what the law requires (shown afterwards)."""
    customer = get_or_404(Customer, customer_id)
    BackTo(_customer_page(customer_id))
    erasure.erase(customer, user=current_user)
    flash("Their personal data was erased. What the law makes you keep is listed on this page.", "success")
    return redirect(_customer_page(customer_id))
