"""Console: export all of a shop's data (a ZIP built by a job), its progress and its download.

Starting one is an action on the shop (a reason, a confirmation, an audit entry); so is each
download, since the archive holds every customer's data. The exports show in a panel of the
console's shop page.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, url_for
from flask_login import current_user
from sqlalchemy import select

from saas.core.extensions import db
from saas.core.panels import Panel
from saas.core.requests import PlainText
from saas.core.tenancy import is_valid_id, tenant_scope
from saas.core.tenant import Tenant
from saas.platform import audit, forms
from saas.platform.access import console_required
from saas.platform.blueprint import bp
from saas.platform.shops import load_tenant
from saas.platform.signals import shop_page_panels
from saas.platform.views import shop_page, submitted_form
from saas.shopdata import export as exports
from saas.shopdata.models import ShopExport

PANEL_EXPORTS = 5


def _export_of(tenant_id: int, export_id: int) -> ShopExport:
    """The export `export_id` of shop `tenant_id` (404 for an unknown shop, or an export of another shop)."""
    load_tenant(tenant_id)
    if not is_valid_id(export_id):
        abort(404)
    with tenant_scope(tenant_id):
        export = db.session.scalar(
            select(ShopExport).where(ShopExport.tenant_id == tenant_id, ShopExport.id == export_id)
        )
    if export is None:
        abort(404)
    return export


@bp.route("/shops/<int:tenant_id>/export", methods=["POST"])
@console_required("shops.manage")
def start_shop_export(tenant_id: int):
    """Prepare a ZIP of everything the shop holds (a background job); audited with the reason."""
    tenant = load_tenant(tenant_id)
    form = forms.ActionForm(prefix="export")
    page = shop_page(tenant_id, export_form=form)
    if not form.validate_on_submit():
        return page.show()
    with tenant_scope(tenant_id):
        export = exports.start_export(admin_id=current_user.id)
    audit.record("shops.export", shop_id=tenant_id, reason=form.reason_text(), after={"export_id": export.id})
    flash(f"The export of {tenant.name} is being prepared; its download appears below when it is ready.", "success")
    return redirect(url_for("platform.shop", tenant_id=tenant_id, _anchor="shop-exports"), 303)


@bp.route("/shops/<int:tenant_id>/exports/<int:export_id>/progress")
@console_required("shops.view")
def shop_export_progress(tenant_id: int, export_id: int):
    """How far an export's job is (its progress bar polls this)."""
    export = _export_of(tenant_id, export_id)
    return jsonify(status=export.status, progress=export.progress)


@bp.route("/shops/<int:tenant_id>/exports/<int:export_id>/download")
@console_required("shops.manage")
def download_shop_export(tenant_id: int, export_id: int):
    """The archive; audited, since it holds all of the shop's data."""
    PlainText()
    export = _export_of(tenant_id, export_id)
    response = exports.download(export)
    audit.record("shops.export_downloaded", shop_id=tenant_id, detail=f"export #{export.id}")
    return response


@shop_page_panels.connect
def _exports_panel(tenant: Tenant, **details) -> Panel:
    with tenant_scope(tenant.id):
        latest = exports.latest_exports(PANEL_EXPORTS)
    return Panel(
        "platform/_export_panel.html",
        {
            "tenant": tenant,
            "exports": latest,
            "export_form": submitted_form("export_form", lambda: forms.ActionForm(prefix="export", formdata=None)),
        },
        order=40,
    )
