"""Appointments pages (placeholder: being built)."""

from __future__ import annotations

from flask import Blueprint, render_template

from saas.auth.decorators import permission_required

bp = Blueprint("appointments", __name__, template_folder="templates", url_prefix="/appointments")


@bp.route("")
@permission_required("appointments.view")
def calendar():
    """Appointments."""
    return render_template("placeholder.html", title="Appointments")
