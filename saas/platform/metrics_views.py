"""Console: how the business is doing (to be written)."""

from __future__ import annotations

from flask import render_template

from saas.platform.access import console_required
from saas.platform.blueprint import bp


@bp.route("/metrics")
@console_required("shops.view")
def metrics():
    """Shops by status, sign-ups, conversion, MRR, churn, usage."""
    return render_template("platform/placeholder.html", title="Metrics")
