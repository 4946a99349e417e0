"""The owner's retention page: periods per kind of data, legal holds, dry runs and the run log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from saas.auth.decorators import permission_required
from saas.core.requests import BackTo, FormPage
from saas.core.tenancy import get_or_404
from saas.customers.models import Customer
from saas.privacy import holds, retention

bp = Blueprint("privacy_retention", __name__, template_folder="templates")

PERMISSION = "privacy.retention"


def _page(submitted=None) -> str:
    """The page; `submitted` puts a refused form's values back into its fields."""
    return render_template(
        "privacy/retention.html",
        settings=retention.settings(),
        holds=holds.open_holds(),
        runs=retention.recent_runs(),
        submitted=submitted,
    )


def _period(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 6 else None


@bp.route("/settings/retention", methods=["GET", "POST"])
@permission_required(PERMISSION)
def index():
    """How long each kind of data is kept; saving applies from the next run."""
    page = FormPage(lambda: _page(request.form if request.method == "POST" else None))
    if request.method == "POST":
        for setting in retention.settings():
            key = setting.category.key
            retention.save_setting(key, _period(request.form.get(key)), request.form.get(f"{key}-active") == "on")
        flash("Retention periods saved. They apply from the next run (every night).", "success")
        return redirect(url_for("privacy_retention.index"))
    return page.show()


@bp.route("/settings/retention/dry-run", methods=["POST"])
@permission_required(PERMISSION)
def dry_run():
    """Count what a run would remove now, without removing anything (logged as a dry run)."""
    run = retention.run_retention(dry_run=True, trigger="owner", user=current_user)
    flash(f"Dry run: {run.total} item(s) would go now. Nothing was removed.", "info")
    return redirect(url_for("privacy_retention.index", _anchor="runs"))


@bp.route("/settings/retention/run", methods=["POST"])
@permission_required(PERMISSION)
def run_now():
    """Apply the periods now instead of waiting for the night."""
    run = retention.run_retention(dry_run=False, trigger="owner", user=current_user)
    flash(f"Retention applied: {run.total} item(s) removed or erased.", "success")
    return redirect(url_for("privacy_retention.index", _anchor="runs"))


@bp.route("/customers/<int:customer_id>/legal-hold", methods=["POST"])
@permission_required(PERMISSION)
def place_hold(customer_id: int):
    """Keep everything about a customer until released (from the customer's page)."""
    customer = get_or_404(Customer, customer_id)
    BackTo(url_for("customers.show", customer_id=customer_id, _anchor="privacy"))
    holds.place_hold(customer, request.form.get("reason", "")[:2000], current_user)
    flash(f"{customer.name}'s data is on hold: retention keeps all of it until you release the hold.", "success")
    return redirect(url_for("customers.show", customer_id=customer_id, _anchor="privacy"))


@bp.route("/settings/retention/holds/<int:hold_id>/release", methods=["POST"])
@permission_required(PERMISSION)
def release_hold(hold_id: int):
    """End a hold."""
    hold = get_or_404(holds.LegalHold, hold_id)
    BackTo(url_for("privacy_retention.index", _anchor="holds"))
    holds.release_hold(hold, current_user)
    flash("Hold released.", "info")
    return redirect(url_for("privacy_retention.index", _anchor="holds"))
