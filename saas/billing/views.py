"""The owner's billing page, Checkout and Portal redirects; the public pricing page and the Stripe webhook."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, jsonify, redirect, render_template, request
from flask_login import current_user

from saas.auth.decorators import permission_required
from saas.billing import guard, webhooks
from saas.billing import stripe_gateway as gateway
from saas.billing.checkout import overview, portal_url, start_checkout
from saas.billing.errors import PlanLimitError
from saas.billing.plans import all_plans
from saas.core.extensions import csrf, db
from saas.core.requests import FormPage

log = logging.getLogger(__name__)

bp = Blueprint("billing", __name__, template_folder="templates", url_prefix="/billing")
public_bp = Blueprint("billing_public", __name__, template_folder="templates")


@bp.before_app_request
def _enforce_plan() -> object:
    return guard.enforce()


@bp.app_template_filter("billing_epoch_date")
def _epoch_date(value) -> str:
    """Stripe's epoch seconds as a date."""
    moment = gateway.from_epoch(value)
    return moment.strftime("%d %b %Y") if moment else ""


@bp.app_errorhandler(PlanLimitError)
def _plan_limit(error: PlanLimitError):
    """Any page: what the plan does not include, with an upgrade offer (402)."""
    db.session.rollback()
    return render_template("billing/limit.html", error=error), error.status


def _billing_page() -> FormPage:
    """The billing page, which a refused Checkout or Portal request shows again with the reason."""
    return FormPage(lambda: render_template("billing/index.html", view=overview(), plans=all_plans()))


@bp.route("/")
@permission_required("billing.manage")
def index():
    """Plan, status, seats, next invoice, invoices; Subscribe or Manage billing."""
    checkout = request.args.get("checkout")
    if checkout == "done":
        flash("Thank you! Your subscription shows here as soon as Stripe confirms the payment.", "success")
    elif checkout == "cancelled":
        flash("Checkout was cancelled; nothing was charged.", "info")
    return _billing_page().show()


@bp.route("/checkout", methods=["POST"])
@permission_required("billing.manage")
def checkout():
    """Send the owner to Stripe Checkout for the chosen plan."""
    _billing_page()
    url = start_checkout(current_user, request.form.get("plan", ""), request.form.get("interval", ""))
    return redirect(url, code=303)


@bp.route("/portal", methods=["POST"])
@permission_required("billing.manage")
def portal():
    """Send the owner to Stripe's Customer Portal (plan, card, cancellation)."""
    _billing_page()
    return redirect(portal_url(), code=303)


@public_bp.route("/pricing")
def pricing():
    """The public pricing page, built from the configured plans."""
    return render_template("billing/pricing.html", plans=all_plans())


@public_bp.errorhandler(gateway.WebhookSignatureError)
def _unsigned_webhook(error: gateway.WebhookSignatureError):
    """Stripe's protocol answer to a delivery that does not verify: a JSON 400 (nothing was done)."""
    log.warning("stripe webhook refused: %s", error)
    return jsonify(error="invalid signature"), error.status


@public_bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
def webhook():
    """Stripe's events: verified on the raw body, applied once, answered fast.

    The request layer commits the event with its effects; a failure rolls both back and answers
    500, so Stripe delivers the event again later.
    """
    event = gateway.verify_webhook(request.get_data(cache=False), request.headers.get("Stripe-Signature"))
    result = webhooks.process(event)
    log.info("stripe webhook %s %s: %s (shop %s)", result.event_id, event.get("type"), result.outcome, result.shop_id)
    return jsonify(received=True, outcome=result.outcome), 200
