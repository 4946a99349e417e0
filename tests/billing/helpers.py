"""Stripe as its API and webhooks send it: settings, subscription, invoice and event objects, signatures."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta
from itertools import count

from saas.core.db import utcnow

WEBHOOK_SECRET = "whsec_test_workbay"


PRICES = {
    "STRIPE_PRICE_STARTER_MONTHLY": "price_starter_month",
    "STRIPE_PRICE_STARTER_YEARLY": "price_starter_year",
    "STRIPE_PRICE_PRO_MONTHLY": "price_pro_month",
    "STRIPE_PRICE_PRO_YEARLY": "price_pro_year",
    "STRIPE_PRICE_ENTERPRISE_MONTHLY": "price_enterprise_month",
    "STRIPE_PRICE_ENTERPRISE_YEARLY": "price_enterprise_year",
}


_events = count(1)


def stripe_settings(api_base: str) -> dict:
    """Config that switches billing on against `api_base`."""
    return {
        "STRIPE_SECRET_KEY": "sk_test_workbay",
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": api_base,
        "STRIPE_MAX_NETWORK_RETRIES": 0,
        **PRICES,
    }


def stripe_list(data: list, url: str) -> dict:
    return {"object": "list", "data": data, "has_more": False, "url": url}


def subscription_object(
    status: str = "active",
    *,
    sub_id: str = "sub_alpha",
    customer: str = "cus_alpha",
    price: str = "price_pro_month",
    quantity: int = 1,
    period_end: int | None = None,
    cancel_at_period_end: bool = False,
    trial_end: int | None = None,
) -> dict:
    """A Stripe subscription as the API sends it (the fields we read)."""
    period_end = period_end or int((utcnow() + timedelta(days=30)).timestamp())
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": customer,
        "status": status,
        "cancel_at_period_end": cancel_at_period_end,
        "trial_end": trial_end,
        "items": stripe_list(
            [
                {
                    "id": f"si_{sub_id}",
                    "object": "subscription_item",
                    "price": {"id": price, "object": "price"},
                    "quantity": quantity,
                    "current_period_end": period_end,
                }
            ],
            f"/v1/subscription_items?subscription={sub_id}",
        ),
    }


def invoice_object(customer: str = "cus_alpha", sub_id: str = "sub_alpha", invoice_id: str = "in_1") -> dict:
    return {
        "id": invoice_id,
        "object": "invoice",
        "customer": customer,
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": sub_id}},
        "hosted_invoice_url": f"https://invoice.stripe.test/{invoice_id}",
        "invoice_pdf": f"https://pay.stripe.test/{invoice_id}.pdf",
        "total": 7900,
        "currency": "usd",
        "status": "open",
        "created": int(time.time()),
    }


def make_event(kind: str, obj: dict, created: int | None = None, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_test_{next(_events)}",
        "object": "event",
        "type": kind,
        "created": created if created is not None else int(time.time()),
        "data": {"object": obj},
        "livemode": False,
    }


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header, built the way Stripe builds it."""
    timestamp = timestamp or int(time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
