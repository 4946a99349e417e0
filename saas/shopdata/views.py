"""The owner's export of all of the shop's data, on the shop's host.

Every endpoint's name says "export", so a read-only or closing shop (billing's guard) can still
export everything: that is what its owner is told to do before the shop is deleted.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from saas.audit.services import log_access
from saas.auth.decorators import permission_required
from saas.core.requests import BackTo, PlainText, private_page
from saas.core.tenancy import get_or_404
from saas.shopdata import export as exports
from saas.shopdata.models import ShopExport

bp = Blueprint("shopdata", __name__, template_folder="templates")
bp.after_request(private_page)  # all of the shop's data, and the links to it

PAGE_EXPORTS = 10


@bp.route("/shop-export")
@permission_required("shop.export")
def export_page():
    """The shop's exports (progress, downloads) and the button to start one."""
    return render_template("shopdata/index.html", exports=exports.latest_exports(PAGE_EXPORTS))


@bp.route("/shop-export", methods=["POST"])
@permission_required("shop.export")
def start_export():
    """Prepare a ZIP of everything the shop holds (a background job)."""
    BackTo(url_for("shopdata.export_page"))
    exports.start_export(user_id=current_user.id)
    flash("Your export is being prepared; its download appears here when it is ready.", "info")
    return redirect(url_for("shopdata.export_page"), 303)


@bp.route("/shop-export/<int:export_id>/progress")
@permission_required("shop.export")
def export_progress(export_id: int):
    """How far an export's job is (its progress bar polls this)."""
    export = get_or_404(ShopExport, export_id)
    return jsonify(status=export.status, progress=export.progress)


@bp.route("/shop-export/<int:export_id>/download")
@permission_required("shop.export")
def download_export(export_id: int):
    """The archive (logged in the shop's access log: it holds every customer's data)."""
    PlainText()
    export = get_or_404(ShopExport, export_id)
    response = exports.download(export)
    log_access("export", "shop", None, f"Downloaded the export of all of the shop's data (#{export.id}, ZIP)")
    return response
