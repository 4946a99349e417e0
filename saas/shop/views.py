"""The shop's home: the dashboard (reports grow here)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from saas.shop import services

bp = Blueprint("shop", __name__, template_folder="templates")


@bp.route("/")
@login_required
def dashboard():
    """The shop's home: trial status, figures, next steps."""
    return render_template("shop/dashboard.html", figures=services.dashboard_figures())
