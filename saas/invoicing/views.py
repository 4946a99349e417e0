"""Invoices pages (placeholder: being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from saas.auth.decorators import permission_required

bp = Blueprint("invoicing", __name__, template_folder="templates", url_prefix="/invoices")


@bp.route("")
@permission_required("invoices.view")
def index():
    """Invoices."""
    return render_template("placeholder.html", title="Invoices")
