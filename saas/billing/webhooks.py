"""Stripe webhooks: verified, stored once, routed to the shop through the stored customer id.

The request arrives on the apex host without a shop. The event id is inserted into
`stripe_events` first (ON CONFLICT DO NOTHING): a redelivered event finds its row and does
nothing. The shop is looked up from the event's customer in `stripe_customers` (never taken
from the payload alone) and the change is applied inside `tenant_scope(shop)`. The event
row, the change and any mail are one transaction: a failure rolls all of it back and Stripe
retries the delivery later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from saas.billing import sync, trial
from saas.billing.models import StripeCustomer, StripeEvent
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope

log = logging.getLogger(__name__)

HANDLERS: dict[str, Callable[[dict, int], str]] = {
    "checkout.session.completed": lambda obj, created: sync.link_checkout(obj),
    "customer.subscription.created": sync.apply_subscription,
    "customer.subscription.updated": sync.apply_subscription,
    "customer.subscription.deleted": sync.apply_subscription,
    "customer.subscription.trial_will_end": trial.trial_will_end,
    "invoice.paid": sync.invoice_paid,
    "invoice.payment_succeeded": sync.invoice_paid,
    "invoice.payment_failed": sync.invoice_payment_failed,
    "invoice.payment_action_required": sync.invoice_action_required,
}


@dataclass(frozen=True)
class Result:
    """What happened to one delivery."""

    event_id: str
    outcome: str
    shop_id: int | None = None


def _customer_of(obj: dict) -> str | None:
    customer = obj.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    return customer if isinstance(customer, str) else None


def _record(event: dict) -> bool:
    """Insert the event id; False when it was seen before."""
    inserted = db.session.execute(
        insert(StripeEvent)
        .values(id=event["id"], type=str(event.get("type", ""))[:100], stripe_created=int(event.get("created") or 0))
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(StripeEvent.id)
    ).scalar()
    return inserted is not None


def process(event: dict) -> Result:
    """Apply one verified event (the request layer commits it with its effects)."""
    event_id, kind = event["id"], str(event.get("type", ""))
    if not _record(event):
        return Result(event_id, "duplicate: already processed")
    handler = HANDLERS.get(kind)
    shop_id = None
    if handler is None:
        outcome = f"ignored: {kind} is not handled"
    else:
        obj = (event.get("data") or {}).get("object") or {}
        customer = _customer_of(obj)
        shop_id = db.session.scalar(
            select(StripeCustomer.shop_id).where(StripeCustomer.stripe_customer_id == customer)
        ) if customer else None  # fmt: skip
        if shop_id is None:
            outcome = f"ignored: customer {customer} belongs to no shop"
        else:
            with tenant_scope(shop_id):
                outcome = handler(obj, int(event.get("created") or 0))
    db.session.execute(
        update(StripeEvent).where(StripeEvent.id == event_id).values(outcome=outcome[:500], shop_id=shop_id)
    )
    return Result(event_id, outcome, shop_id)
