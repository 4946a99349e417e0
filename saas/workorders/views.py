"""Work orders pages (placeholder: being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from saas.auth.decorators import permission_required

bp = Blueprint("workorders", __name__, template_folder="templates", url_prefix="/work-orders")


@bp.route("")
@permission_required("workorders.view")
def index():
    """Work orders."""
    return render_template("placeholder.html", title="Work orders")
