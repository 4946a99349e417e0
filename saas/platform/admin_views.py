"""Console: the platform admins (to be written)."""

from __future__ import annotations

from flask import render_template

from saas.platform.access import console_required
from saas.platform.blueprint import bp


@bp.route("/admins")
@console_required("shops.view")
def admins():
    """Every platform admin with role, second factor and last login."""
    return render_template("platform/placeholder.html", title="Admins")
