"""Settings pages (placeholder: being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from saas.auth.decorators import permission_required

bp = Blueprint("settings", __name__, template_folder="templates", url_prefix="/settings")


@bp.route("")
@permission_required("shop.settings")
def index():
    """Settings."""
    return render_template("placeholder.html", title="Settings")
