"""The owner's billing page, Checkout and Portal redirects; the public pricing page and the Stripe webhook."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request
from flask_login import current_user

from saas.auth.decorators import permission_required
from saas.billing import guard, services, webhooks
from saas.billing import stripe_gateway as gateway
from saas.billing.plans import all_plans
from saas.core.extensions import csrf, db

log = logging.getLogger(__name__)

bp = Blueprint("billing", __name__, template_folder="templates", url_prefix="/billing")
public_bp = Blueprint("billing_public", __name__, template_folder="templates")


@bp.before_app_request
def _enforce_plan() -> object:
    return guard.enforce()


@bp.app_template_filter("billing_epoch_date")
def _epoch_date(value) -> str:
    """Stripe's epoch seconds as a date."""
    return datetime.fromtimestamp(int(value), UTC).strftime("%d %b %Y") if value else ""


@bp.app_errorhandler(services.PlanLimitError)
def _plan_limit(error: services.PlanLimitError):
    db.session.rollback()
    return render_template("billing/limit.html", error=error), 402


def _render_page(status: int = 200):
    return render_template("billing/index.html", view=services.overview(), plans=all_plans()), status


@bp.route("/")
@permission_required("billing.manage")
def index():
    """Plan, status, seats, next invoice, invoices; Subscribe or Manage billing."""
    checkout = request.args.get("checkout")
    if checkout == "done":
        flash("Thank you! Your subscription shows here as soon as Stripe confirms the payment.", "success")
    elif checkout == "cancelled":
        flash("Checkout was cancelled; nothing was charged.", "info")
    response = _render_page()
    db.session.commit()  # keeps a newly created (empty) subscription row
    return response


@bp.route("/checkout", methods=["POST"])
@permission_required("billing.manage")
def checkout():
    """Send the owner to Stripe Checkout for the chosen plan."""
    try:
        url = services.start_checkout(current_user, request.form.get("plan", ""), request.form.get("interval", ""))
    except services.BillingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _render_page(400)
    except gateway.StripeUnavailable as error:
        db.session.rollback()
        flash(str(error), "error")
        return _render_page(503)
    db.session.commit()
    return redirect(url, code=303)


@bp.route("/portal", methods=["POST"])
@permission_required("billing.manage")
def portal():
    """Send the owner to Stripe's Customer Portal (plan, card, cancellation)."""
    try:
        url = services.portal_url()
    except services.BillingError as error:
        flash(str(error), "error")
        return _render_page(400)
    except gateway.StripeUnavailable as error:
        flash(str(error), "error")
        return _render_page(503)
    return redirect(url, code=303)


@public_bp.route("/pricing")
def pricing():
    """The public pricing page, built from the configured plans."""
    return render_template("billing/pricing.html", plans=all_plans())


@public_bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
def webhook():
    """Stripe's events: verified on the raw body, applied once, answered fast."""
    try:
        event = gateway.verify_webhook(request.get_data(cache=False), request.headers.get("Stripe-Signature"))
    except gateway.WebhookSignatureError as error:
        log.warning("stripe webhook refused: %s", error)
        return jsonify(error="invalid signature"), 400
    try:
        result = webhooks.process(event)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("stripe webhook %s (%s) failed; Stripe will retry", event.get("id"), event.get("type"))
        abort(500)
    log.info("stripe webhook %s %s: %s (shop %s)", result.event_id, event.get("type"), result.outcome, result.shop_id)
    return jsonify(received=True, outcome=result.outcome), 200
