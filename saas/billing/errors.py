"""Billing's refusals (`saas.core.errors.ServiceError`, answered by the request layer).

Stripe's own failures are `stripe_gateway.StripeUnavailable` (503) and `WebhookSignatureError` (400).
"""

from __future__ import annotations

from saas.billing.plans import Plan, next_plan
from saas.core.errors import ServiceError


class BillingError(ServiceError):
    """A billing request that cannot be done; the message is safe to show."""


class PlanLimitError(BillingError):
    """The shop's plan does not allow this; the page offers an upgrade."""

    status = 402

    def __init__(self, message: str, plan: Plan | None = None):
        super().__init__(message)
        self.plan = plan
        self.upgrade_to = next_plan(plan) if plan else None
