"""Console: the platform's health (to be written)."""

from __future__ import annotations

from flask import render_template

from saas.platform.access import console_required
from saas.platform.blueprint import bp


@bp.route("/health")
@console_required("shops.view")
def health():
    """Database, queue, failed jobs, mail backlog, storage, Stripe webhooks."""
    return render_template("platform/placeholder.html", title="Health")
