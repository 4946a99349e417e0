"""The plans a shop can be on, with the limits it feels. Prices are Stripe price ids from configuration.

The pricing page and the limit checks both read `all_plans()`; what a plan costs in Stripe is
Stripe's business (the amounts here are for display), which price id stands for which plan is ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import current_app

GB = 1024**3
INTERVALS = ("month", "year")


@dataclass(frozen=True)
class Plan:
    """One plan: its limits (None = unlimited) and its display prices."""

    key: str
    name: str
    tagline: str
    monthly: Decimal
    yearly: Decimal
    staff_seats: int | None
    storage_bytes: int | None
    online_booking: bool
    inspections: bool
    per_seat: bool = False  # the subscription quantity follows the number of staff

    def price_id(self, interval: str) -> str | None:
        """The Stripe price id for `interval` ("month" or "year"), read from the config now."""
        suffix = "MONTHLY" if interval == "month" else "YEARLY"
        return current_app.config.get(f"STRIPE_PRICE_{self.key.upper()}_{suffix}")

    @property
    def storage_label(self) -> str:
        if self.storage_bytes is None:
            return "Unlimited"
        return f"{self.storage_bytes // GB} GB"

    @property
    def seats_label(self) -> str:
        if self.staff_seats is None:
            return "Unlimited staff"
        return f"Up to {self.staff_seats} staff"

    def features(self) -> list[tuple[str, bool]]:
        """What the pricing page lists, with whether the plan includes it."""
        return [
            (self.seats_label + (" (billed per seat)" if self.per_seat else ""), True),
            (f"{self.storage_label} document storage", True),
            ("Online booking page", self.online_booking),
            ("Digital inspections", self.inspections),
        ]


PLANS: tuple[Plan, ...] = (
    Plan("starter", "Starter", "For a one-bay shop", Decimal("29"), Decimal("290"), 3, 1 * GB, False, False),
    Plan("pro", "Pro", "For a busy shop with a team", Decimal("79"), Decimal("790"), 10, 10 * GB, True, True),
    Plan(
        "enterprise",
        "Enterprise",
        "For groups of shops",
        Decimal("25"),
        Decimal("250"),
        None,
        100 * GB,
        True,
        True,
        per_seat=True,
    ),
)
_BY_KEY = {plan.key: plan for plan in PLANS}


def all_plans() -> tuple[Plan, ...]:
    """Every plan, cheapest first."""
    return PLANS


def get_plan(key: str | None) -> Plan | None:
    """The plan called `key`, if any."""
    return _BY_KEY.get(key or "")


def trial_plan() -> Plan:
    """The limits a shop has during its trial (configurable; Pro by default)."""
    return get_plan(current_app.config.get("BILLING_TRIAL_PLAN")) or _BY_KEY["pro"]


def plan_for_price(price_id: str | None) -> tuple[Plan, str] | None:
    """(plan, interval) for a Stripe price id from the configuration, or None when unknown."""
    if not price_id:
        return None
    for plan in PLANS:
        for interval in INTERVALS:
            if plan.price_id(interval) == price_id:
                return plan, interval
    return None


def next_plan(plan: Plan) -> Plan | None:
    """The plan above `plan` (for "upgrade" buttons)."""
    index = PLANS.index(plan)
    return PLANS[index + 1] if index + 1 < len(PLANS) else None
