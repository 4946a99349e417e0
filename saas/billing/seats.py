"""Staff seats: how many a shop uses (staff and open invitations), the plan's limit, and the
per-seat Stripe quantity, brought in line by a job after staff changes (`billing.tasks`)."""

from __future__ import annotations

from sqlalchemy import func, select

from saas.auth.models import Invitation, User
from saas.billing import stripe_gateway as gateway
from saas.billing.access import RUNNING, current_plan, get_subscription
from saas.billing.errors import PlanLimitError
from saas.billing.models import Subscription
from saas.billing.plans import get_plan
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tasks.queue import Job, enqueue
from saas.core.tasks.shops import shop_job
from saas.core.tenancy import tenant_scope

SEAT_TASK = "billing.sync_seats"


def seats_used() -> int:
    """Active staff plus open invitations of the current shop."""
    staff = db.session.scalar(select(func.count()).select_from(User).where(User.is_active_account.is_(True)))
    invited = db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
    )
    return staff + invited


def check_seat_available() -> None:
    """Raise PlanLimitError when the plan's staff seats are all taken (invitations count)."""
    plan = current_plan()
    if plan.staff_seats is not None and seats_used() >= plan.staff_seats:
        raise PlanLimitError(
            f"Your {plan.name} plan includes {plan.staff_seats} staff seats, and all are taken (open invitations "
            "count too). Upgrade your plan to invite more people, or withdraw an invitation.",
            plan,
        )


def seat_sync_job(tenant_id: int) -> Job:
    """Bring one shop's per-seat quantity in line with its staff (repeats are harmless: it sets, not adds)."""
    return shop_job(SEAT_TASK, tenant_id)


def seats_changed() -> None:
    """Staff joined, left or were invited: queue a job that brings a per-seat subscription's
    quantity in line (with the change's own transaction; nothing happens when billing is off)."""
    subscription = get_subscription() if gateway.enabled() else None
    plan = get_plan(subscription.plan) if subscription is not None else None
    if plan is None or not plan.per_seat or not subscription.stripe_subscription_id:
        return
    enqueue(db.session.connection(), [seat_sync_job(subscription.tenant_id)])


def sync_seats(tenant_id: int) -> int | None:
    """Set the shop's per-seat subscription quantity in Stripe to the seats in use; returns it."""
    with tenant_scope(tenant_id):
        subscription = get_subscription()
        if subscription is None or not subscription.stripe_subscription_id:
            return None
        match_seat_quantity(subscription, gateway.retrieve_subscription(subscription.stripe_subscription_id))
        return subscription.quantity


def match_seat_quantity(subscription: Subscription, stripe_subscription: dict) -> None:
    """Set a per-seat subscription's quantity in Stripe (and ours) to the seats in use, when it differs."""
    plan = get_plan(subscription.plan)
    if plan is None or not plan.per_seat or subscription.status not in RUNNING:
        return
    item = gateway.first_item(stripe_subscription)
    seats = max(1, seats_used())
    if item.get("id") and int(item.get("quantity") or 0) != seats:
        gateway.set_subscription_quantity(subscription.stripe_subscription_id, item["id"], seats)
        subscription.quantity = seats
