"""How the business is doing: shops by status, sign-ups, trial-to-paid conversion, MRR, churn, usage.

Every figure is one query over all shops (a fixed number of queries whatever their number), read
inside `cross_tenant_scope`. Times are UTC and read from `utcnow()` once, so a figure means the
same thing on the page and in its CSV. The definitions the page states live next to the code
that computes them (`DEFINITIONS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import and_, extract, func, or_, select

from saas.auth.models import User
from saas.billing.access import ENDED
from saas.billing.models import StripeEvent, Subscription
from saas.billing.models import SubscriptionStatus as S
from saas.billing.plans import all_plans, get_plan
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.money import ZERO
from saas.core.tenancy import cross_tenant_scope
from saas.core.tenant import Tenant, TenantStatus
from saas.customers.models import Customer
from saas.documents.services import usage_by_tenant_query
from saas.invoicing.models import Invoice, InvoiceKind
from saas.platform.models import PlatformAdmin
from saas.workorders.models import WorkOrder

WEEKS = 12
CONVERSION_DAYS = 90
CHURN_DAYS = 30
USAGE_DAYS = 30
TOP_SHOPS = 25
# A Stripe subscription in these states is a paying customer (past due: Stripe still retries the card).
PAYING = frozenset({S.ACTIVE, S.PAST_DUE})
PAID_INVOICE_EVENTS = ("invoice.paid", "invoice.payment_succeeded")
# Checkout gives a shop with more than 2 days of trial left a Stripe trial until its own trial's end:
# the zero-amount invoice that opens it is "paid" too, so only invoices from then on show a payment.
PAID_FROM_BEFORE_TRIAL_END = timedelta(days=2)
CENT = Decimal("0.01")

DEFINITIONS = {
    "statuses": "Every shop once: closing (deletion scheduled) first, then suspended, else the status of its plan.",
    "signups": f"Shops created in each of the last {WEEKS} weeks (weeks start on Monday, UTC), this week last.",
    "conversion": f"Of the shops whose free trial ended in the last {CONVERSION_DAYS} days, the share that have "
    "had a paid Stripe subscription: active or past due now, or Stripe reported a paid invoice for it from two "
    "days before the trial's end on (the zero-amount invoice that opens a Stripe trial does not count).",
    "mrr": "Monthly recurring revenue of the Stripe subscriptions that are active or past due, at the plans' "
    "list prices: a yearly price counts one twelfth; per-seat plans count each seat. Complimentary plans count "
    "nothing and are listed apart.",
    "churn": f"Shops that were paying {CHURN_DAYS} days ago and whose Stripe subscription has ended since (Stripe "
    "deleted it, or it is canceled, unpaid, paused or expired) and that do not pay again now, divided by the "
    f"shops paying {CHURN_DAYS} days ago (paying now or ended since, less those whose first subscription "
    "started in the period).",
    "usage": f"Documents and photos stored, active staff, customers, and the work orders and invoices of the last "
    f"{USAGE_DAYS} days, per shop, most storage first.",
}


# --- the figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusCount:
    """How many shops are in one status."""

    key: str
    count: int

    @property
    def label(self) -> str:
        """The status for people: past_due -> "Past due"."""
        return self.key.replace("_", " ").capitalize()


@dataclass(frozen=True)
class WeekCount:
    """Sign-ups of one week (starting Monday, UTC)."""

    monday: date
    count: int

    @property
    def label(self) -> str:
        """The week's Monday, "09 Mar"."""
        return f"{self.monday:%d %b}"


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


@dataclass(frozen=True)
class Conversion:
    """Trial-to-paid conversion over the shops whose trial ended in the window."""

    trials_ended: int
    converted: int

    @property
    def rate(self) -> Decimal | None:
        """Converted / trials ended, as a fraction (None when no trial ended)."""
        return _rate(self.converted, self.trials_ended)


@dataclass(frozen=True)
class PlanRevenue:
    """One plan's paying subscriptions and their MRR."""

    key: str
    name: str
    subscriptions: int
    seats: int | None  # per-seat plans only
    mrr: Decimal


@dataclass(frozen=True)
class CompedShop:
    """A shop on a complimentary plan (no revenue)."""

    tenant_id: int
    name: str
    plan: str
    until: datetime


@dataclass(frozen=True)
class Revenue:
    """MRR in total and per plan; what is past due; the complimentary plans."""

    total: Decimal
    past_due: Decimal
    per_plan: list[PlanRevenue]
    comped: list[CompedShop]
    unknown_plan: int  # paying subscriptions whose price is not one of our plans' (counted as 0)


@dataclass(frozen=True)
class Churn:
    """Paying shops lost over the window."""

    paying_at_start: int
    churned: int
    lost_mrr: Decimal

    @property
    def rate(self) -> Decimal | None:
        """Churned / paying at the start, as a fraction (None when nobody was paying)."""
        return _rate(self.churned, self.paying_at_start)


@dataclass(frozen=True)
class ShopUsage:
    """One shop's storage and activity."""

    tenant_id: int
    name: str
    subdomain: str
    storage_bytes: int
    files: int
    staff: int
    customers: int
    work_orders: int
    invoices: int


@dataclass(frozen=True)
class Metrics:
    """Every figure of the metrics page, as of `now`."""

    now: datetime
    statuses: list[StatusCount]
    signups: list[WeekCount]
    conversion: Conversion
    revenue: Revenue
    churn: Churn
    usage: list[ShopUsage]

    @property
    def shops(self) -> int:
        """Every shop (each is in exactly one status)."""
        return sum(status.count for status in self.statuses)


def business_metrics(admin: PlatformAdmin, usage_limit: int | None = TOP_SHOPS) -> Metrics:
    """Every figure, in a fixed number of queries (the usage of the `usage_limit` largest shops; None: all)."""
    now = utcnow()
    with cross_tenant_scope(f"platform metrics for admin {admin.id}"):
        revenue, churn = _revenue_and_churn(now)
        return Metrics(now, _statuses(), _signups(now), _conversion(now), revenue, churn, _usage(now, usage_limit))


def _statuses() -> list[StatusCount]:
    closing, suspended = Tenant.deletion_due_at.is_not(None), Tenant.suspended_at.is_not(None)
    rows = db.session.execute(
        select(closing, suspended, Tenant.status, func.count()).group_by(closing, suspended, Tenant.status)
    ).all()
    counts: dict[str, int] = {}
    for is_closing, is_suspended, status, count in rows:
        key = "closing" if is_closing else "suspended" if is_suspended else status
        counts[key] = counts.get(key, 0) + count
    order = [*TenantStatus, "suspended", "closing"]
    extra = sorted(key for key in counts if key not in order)  # a status this code does not know yet
    return [StatusCount(key, counts.get(key, 0)) for key in [*order, *extra]]


def _this_monday(now: datetime) -> datetime:
    today = now.astimezone(UTC).date()
    return datetime.combine(today - timedelta(days=today.weekday()), time(), UTC)


def _signups(now: datetime) -> list[WeekCount]:
    this_monday = _this_monday(now)
    first = this_monday - timedelta(weeks=WEEKS - 1)
    week = func.date_trunc("week", func.timezone("UTC", Tenant.created_at))
    counts = {
        monday.date(): count
        for monday, count in db.session.execute(
            select(week, func.count())
            .where(Tenant.created_at >= first, Tenant.created_at < this_monday + timedelta(weeks=1))
            .group_by(week)
        ).all()
    }
    mondays = [(first + timedelta(weeks=n)).date() for n in range(WEEKS)]
    return [WeekCount(monday, counts.get(monday, 0)) for monday in mondays]


def _conversion(now: datetime) -> Conversion:
    paid_invoice = (
        select(StripeEvent.shop_id)
        .where(
            StripeEvent.shop_id == Tenant.id,
            StripeEvent.type.in_(PAID_INVOICE_EVENTS),
            StripeEvent.stripe_created
            >= extract("epoch", Tenant.trial_ends_at) - PAID_FROM_BEFORE_TRIAL_END.total_seconds(),
        )
        .exists()
    )
    paying = and_(Subscription.stripe_subscription_id.is_not(None), Subscription.status.in_(PAYING))
    converted = or_(paying, paid_invoice)
    trials_ended, paid = db.session.execute(
        select(func.count(), func.count().filter(converted))
        .select_from(Tenant)
        .outerjoin(Subscription, Subscription.tenant_id == Tenant.id)
        .where(Tenant.trial_ends_at > now - timedelta(days=CONVERSION_DAYS), Tenant.trial_ends_at <= now)
    ).one()
    return Conversion(trials_ended, paid)


def monthly_price(plan_key: str | None, interval: str | None, quantity: int) -> Decimal | None:
    """What a subscription brings in a month at list price (None for a plan we do not know)."""
    plan = get_plan(plan_key)
    if plan is None:
        return None
    price = plan.yearly / 12 if interval == "year" else plan.monthly
    return price * max(quantity, 1) if plan.per_seat else price


def _subscription_rows(now: datetime, start: int, now_epoch: int) -> list:
    """Every subscription with Stripe history or a complimentary plan, with its shop's subscription events."""
    in_window = and_(StripeEvent.stripe_created > start, StripeEvent.stripe_created <= now_epoch)
    deleted, created = (
        StripeEvent.type == "customer.subscription.deleted",
        StripeEvent.type == "customer.subscription.created",
    )
    events = (
        select(
            StripeEvent.shop_id,
            func.bool_or(and_(deleted, in_window)).label("deleted"),
            func.min(StripeEvent.stripe_created).filter(created).label("first_created"),
        )
        .where(StripeEvent.shop_id.is_not(None), or_(deleted, created))
        .group_by(StripeEvent.shop_id)
        .subquery()
    )
    return db.session.execute(
        select(
            Subscription.tenant_id,
            Tenant.name,
            Subscription.plan,
            Subscription.interval,
            Subscription.quantity,
            Subscription.status,
            Subscription.stripe_subscription_id,
            Subscription.comped_until,
            Subscription.state_at,
            events.c.deleted,
            events.c.first_created,
        )
        .join(Tenant, Tenant.id == Subscription.tenant_id)
        .outerjoin(events, events.c.shop_id == Subscription.tenant_id)
        .where(
            or_(
                Subscription.stripe_subscription_id.is_not(None),
                Subscription.comped_until > now,
                events.c.shop_id.is_not(None),
            )
        )
        .order_by(Tenant.name, Subscription.tenant_id)
    ).all()


def _revenue_and_churn(now: datetime) -> tuple[Revenue, Churn]:
    start, now_epoch = int((now - timedelta(days=CHURN_DAYS)).timestamp()), int(now.timestamp())
    rows = _subscription_rows(now, start, now_epoch)
    per_plan = {plan.key: [0, 0, ZERO] for plan in all_plans()}
    total = past_due = lost = ZERO
    comped, unknown, at_start, churned = [], 0, 0, 0
    for row in rows:
        paying = bool(row.stripe_subscription_id) and row.status in PAYING
        price = monthly_price(row.plan, row.interval, row.quantity)
        if paying:
            if price is None:
                unknown += 1
            else:
                figures = per_plan[row.plan]
                figures[0] += 1
                figures[1] += max(row.quantity, 1)
                figures[2] += price
                total += price
                past_due += price if row.status == S.PAST_DUE else ZERO
        elif row.comped_until is not None and row.comped_until > now and row.plan:
            plan = get_plan(row.plan)
            comped.append(CompedShop(row.tenant_id, row.name, plan.name if plan else row.plan, row.comped_until))
        ended = bool(row.deleted) or (
            bool(row.stripe_subscription_id) and row.status in ENDED and start < row.state_at <= now_epoch
        )
        lost_now = ended and not paying
        started_in_window = row.first_created is not None and row.first_created > start
        if (paying or lost_now) and not started_in_window:
            at_start += 1
            if lost_now:
                churned += 1
                lost += price or ZERO
    plans = [
        PlanRevenue(
            plan.key,
            plan.name,
            per_plan[plan.key][0],
            per_plan[plan.key][1] if plan.per_seat else None,
            _cents(per_plan[plan.key][2]),
        )
        for plan in all_plans()
    ]
    revenue = Revenue(_cents(total), _cents(past_due), plans, comped, unknown)
    return revenue, Churn(at_start, churned, _cents(lost))


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT)


def _count_by_tenant(model, *conditions):
    return select(model.tenant_id, func.count().label("n")).where(*conditions).group_by(model.tenant_id).subquery()


def _usage(now: datetime, limit: int | None) -> list[ShopUsage]:
    since = now - timedelta(days=USAGE_DAYS)
    storage = usage_by_tenant_query().subquery()
    staff = _count_by_tenant(User, User.is_active_account.is_(True))
    customers = _count_by_tenant(Customer)
    work_orders = _count_by_tenant(WorkOrder, WorkOrder.created_at >= since, WorkOrder.created_at <= now)
    invoices = _count_by_tenant(
        Invoice, Invoice.kind == InvoiceKind.INVOICE, Invoice.issued_at >= since, Invoice.issued_at <= now
    )
    counted = [staff, customers, work_orders, invoices]
    query = select(
        Tenant.id,
        Tenant.name,
        Tenant.subdomain,
        func.coalesce(storage.c.bytes, 0),
        func.coalesce(storage.c.count, 0),
        *(func.coalesce(sub.c.n, 0) for sub in counted),
    ).outerjoin(storage, storage.c.tenant_id == Tenant.id)
    for sub in counted:
        query = query.outerjoin(sub, sub.c.tenant_id == Tenant.id)
    query = query.order_by(
        func.coalesce(storage.c.bytes, 0).desc(), func.coalesce(storage.c.count, 0).desc(), Tenant.id
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        ShopUsage(tenant_id, name, subdomain, int(stored), int(files), staff_n, customers_n, orders_n, invoices_n)
        for tenant_id, name, subdomain, stored, files, staff_n, customers_n, orders_n, invoices_n in db.session.execute(
            query
        ).all()
    ]


# --- the figures a CSV export may ask for ------------------------------------------------------------

FIGURES = ("statuses", "signups", "conversion", "mrr", "churn", "usage")


class MetricsError(ServiceError):
    """A metrics request that cannot be answered (the message is safe to show)."""


def check_figure(figure: str) -> str | None:
    """The figure asked for in a CSV export (None: all of them); MetricsError for one we do not have."""
    figure = figure.strip()
    if figure and figure not in FIGURES:
        raise MetricsError(f"Unknown figure {figure[:40]!r}: choose one of {', '.join(FIGURES)}.")
    return figure or None
