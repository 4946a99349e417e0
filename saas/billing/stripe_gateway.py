"""A thin wrapper over the `stripe` library: the only module that talks to Stripe.

Settings are read from the app config at call time (`STRIPE_SECRET_KEY`, `STRIPE_API_BASE`), so
an app whose config changes (tests, a key set later) uses the new values on its next call. Every
failure to reach Stripe, or a refusal from it, becomes `StripeUnavailable` (a 503 `ServiceError`)
with a message a shop owner can read; the details go to the log.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import stripe
from flask import current_app

from saas.core.errors import ServiceError

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20


class StripeUnavailable(ServiceError):
    """Stripe could not be reached or refused the request (503: try again later)."""

    status = 503

    def __init__(self, message: str = "We could not reach our payment provider (Stripe) just now. Nothing was "
                 "changed; please try again in a few minutes."):  # fmt: skip
        super().__init__(message)


class WebhookSignatureError(ServiceError):
    """A webhook whose signature does not verify (or is missing); the message says why, for the log."""

    status = 400


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


def from_epoch(value) -> datetime | None:
    """Stripe's epoch seconds as an aware UTC datetime (None when absent)."""
    return datetime.fromtimestamp(int(value), UTC) if value else None


def first_item(subscription: dict) -> dict:
    """A Stripe subscription's first item (its price and quantity), or {}."""
    items = (subscription.get("items") or {}).get("data") or []
    return items[0] if items else {}


def enabled() -> bool:
    """True when Stripe keys are configured (billing is on)."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def _client() -> stripe.StripeClient:
    base = current_app.config.get("STRIPE_API_BASE")
    return stripe.StripeClient(
        current_app.config["STRIPE_SECRET_KEY"],
        base_addresses={"api": base} if base else None,
        max_network_retries=current_app.config.get("STRIPE_MAX_NETWORK_RETRIES", 2),
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )


def _call(what: str, method, *args, **kwargs) -> dict:
    try:
        result = method(*args, **kwargs)
    except stripe.StripeError as error:
        log.warning("stripe: %s failed: %s (%s)", what, type(error).__name__, error.user_message or error)
        raise StripeUnavailable() from error
    return result.to_dict()


def create_customer(tenant_id: int, name: str, email: str | None) -> str:
    """A Stripe customer for the shop (idempotent per shop for a day); returns its id."""
    customer = _call(
        "create customer",
        _client().v1.customers.create,
        params={"name": name, "email": email or "", "metadata": {"tenant_id": str(tenant_id)}},
        options={"idempotency_key": f"workbay-customer-{tenant_id}"},
    )
    return customer["id"]


def create_checkout_session(
    *,
    customer_id: str,
    price_id: str,
    quantity: int,
    tenant_id: int,
    success_url: str,
    cancel_url: str,
    trial_end: int | None = None,
) -> CheckoutSession:
    """A subscription-mode Checkout session; the shop is sent to its `url`."""
    params: dict = {
        "mode": "subscription",
        "customer": customer_id,
        "client_reference_id": str(tenant_id),
        "line_items": [{"price": price_id, "quantity": quantity}],
        "allow_promotion_codes": True,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "subscription_data": {"metadata": {"tenant_id": str(tenant_id)}},
    }
    if trial_end:
        params["subscription_data"]["trial_end"] = trial_end
    if current_app.config.get("STRIPE_TAX_ENABLED"):
        params["automatic_tax"] = {"enabled": True}
        params["customer_update"] = {"address": "auto", "name": "auto"}
    session = _call("create checkout session", _client().v1.checkout.sessions.create, params=params)
    return CheckoutSession(session["id"], session["url"])


def create_portal_session(customer_id: str, return_url: str) -> str:
    """A Customer Portal session (change plan, update card, cancel); returns its URL."""
    session = _call(
        "create portal session",
        _client().v1.billing_portal.sessions.create,
        params={"customer": customer_id, "return_url": return_url},
    )
    return session["url"]


def retrieve_subscription(subscription_id: str) -> dict:
    """The subscription as Stripe has it now."""
    return _call("retrieve subscription", _client().v1.subscriptions.retrieve, subscription_id)


def list_subscriptions(customer_id: str) -> list[dict]:
    """The customer's subscriptions (all statuses), newest first."""
    result = _call(
        "list subscriptions",
        _client().v1.subscriptions.list,
        params={"customer": customer_id, "status": "all", "limit": 10},
    )
    return result.get("data", [])


def list_invoices(customer_id: str, limit: int = 12) -> list[dict]:
    """The customer's latest invoices, newest first."""
    result = _call("list invoices", _client().v1.invoices.list, params={"customer": customer_id, "limit": limit})
    return result.get("data", [])


def set_subscription_quantity(subscription_id: str, item_id: str, quantity: int) -> dict:
    """Change a per-seat subscription's quantity, prorated."""
    return _call(
        "update subscription quantity",
        _client().v1.subscriptions.update,
        subscription_id,
        params={"items": [{"id": item_id, "quantity": quantity}], "proration_behavior": "create_prorations"},
    )


def cancel_subscription(subscription_id: str) -> dict | None:
    """Cancel a subscription at once (the shop is being deleted); its final state, or None when Stripe has
    no such subscription; `StripeUnavailable` when Stripe cannot be reached or refuses."""
    try:
        return _call("cancel subscription", _client().v1.subscriptions.cancel, subscription_id)
    except StripeUnavailable as error:
        if getattr(error.__cause__, "code", None) == "resource_missing":
            return None
        if isinstance(error.__cause__, stripe.InvalidRequestError):
            # A retry after a later step failed: Stripe refuses to cancel what it cancelled already.
            current = retrieve_subscription(subscription_id)
            if current.get("status") == "canceled":
                return current
        raise


def verify_webhook(payload: bytes, signature: str | None) -> dict:
    """Check the `Stripe-Signature` header on the raw body; return the event as plain data."""
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret or not signature:
        raise WebhookSignatureError("missing signature or webhook secret")
    try:
        stripe.Webhook.construct_event(payload, signature, secret)  # verifies the signature on the raw body
        event = json.loads(payload)  # plain data for the handlers
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as error:
        raise WebhookSignatureError(str(error)) from None
    if not isinstance(event, dict) or not isinstance(event.get("data"), dict) or not event.get("id"):
        raise WebhookSignatureError("not a Stripe event")
    return event
