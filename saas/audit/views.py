"""Access log pages (placeholder: being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from saas.auth.decorators import permission_required

bp = Blueprint("audit", __name__, template_folder="templates", url_prefix="/access-log")


@bp.route("")
@permission_required("access_log.view")
def index():
    """Access log."""
    return render_template("placeholder.html", title="Access log")
