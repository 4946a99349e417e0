"""A shop's subscription (a shop table) and the two platform tables the Stripe webhook needs.

`subscriptions` holds one row per shop, scoped like every shop table. The webhook arrives on
the apex host without a shop, so it finds the shop through `stripe_customers` (customer id ->
shop) and remembers which events it has seen in `stripe_events`; both hold every shop's data,
so row-level security hides them from a shop's transaction (a shop sees its own customer link).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.db import Base, TenantScoped, Timestamped, utcnow


class SubscriptionStatus:
    """Stripe's subscription statuses, plus our own for shops without a Stripe subscription."""

    NONE = "none"  # never subscribed: the trial (or a plan a platform admin set)
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    CANCELED = "canceled"
    UNPAID = "unpaid"
    PAUSED = "paused"


class Subscription(TenantScoped, Timestamped, Base):
    """The shop's plan and its copy of the Stripe subscription's state (Stripe is the source of truth)."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    plan: Mapped[str | None] = mapped_column(String(20))
    interval: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(30), default=SubscriptionStatus.NONE)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255))
    stripe_price_id: Mapped[str | None] = mapped_column(String(255))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    current_period_end: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    past_due_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Where to finish a payment that needs the card holder (3-D Secure): Stripe's hosted invoice page.
    action_url: Mapped[str | None] = mapped_column(Text)
    # Stripe's `created` (epoch seconds) of the newest event applied: older events cannot roll state back.
    state_at: Mapped[int] = mapped_column(BigInteger, default=0)
    # The Checkout session we created last; checkout.session.completed must name it.
    checkout_session_id: Mapped[str | None] = mapped_column(String(255))
    trial_reminder_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A plan given by a platform admin free of charge, until this moment (then the shop is read-only
    # unless it subscribes); None for a paid plan or a plan set by hand without an end.
    comped_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __repr__(self) -> str:
        return f"<Subscription tenant={self.tenant_id} {self.plan} {self.status}>"


class StripeCustomer(Base):
    """Platform table: which shop a Stripe customer belongs to (how a webhook finds its shop)."""

    __tablename__ = "stripe_customers"

    stripe_customer_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    shop_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("tenants.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StripeEvent(Base):
    """Platform table: every webhook event id seen, once (a redelivery finds its row and does nothing)."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    stripe_created: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    shop_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("tenants.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(Text, default="")
