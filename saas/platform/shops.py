"""The console's shops: the list (searched, filtered, sorted, paginated, exported as CSV) and one shop's page.

Every read here spans shops, so it runs inside `cross_tenant_scope` with explicit `tenant_id`
conditions, and each listing or page view is written to the platform audit trail.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import abort
from sqlalchemy import Select, func, or_, select

from saas.auth.models import User
from saas.billing.access import effective_plan
from saas.billing.models import StripeEvent, Subscription
from saas.billing.models import SubscriptionStatus as S
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import cross_tenant_scope, is_valid_id
from saas.core.tenant import Tenant, TenantStatus
from saas.customers.models import Customer
from saas.documents.services import usage_by_tenant_query
from saas.invoicing.models import Invoice
from saas.platform import audit
from saas.privacy.request_models import OPEN_STATUSES, PrivacyRequest
from saas.workorders.models import WorkOrder

PAGE_SIZE = 25
# Shown in the status filter beside the plan statuses: set by the platform on top of them.
SUSPENDED, CLOSING = "suspended", "closing"
TRIAL_PLAN, COMPED = "trial", "comped"
SORTS = ("created", "name", "trial_end", "staff", "storage")


@dataclass(frozen=True)
class ShopFilter:
    """What the shops list is narrowed down to and ordered by; every part optional."""

    search: str = ""
    status: str = ""  # a TenantStatus, SUSPENDED or CLOSING
    plan: str = ""  # a plan key, TRIAL_PLAN or COMPED
    trial_ends_within_days: int | None = None
    past_due: bool = False
    created_from: date | None = None
    created_to: date | None = None
    sort: str = "created"
    descending: bool = True

    def as_args(self) -> dict:
        """The filter as URL query arguments (pagination, sorting and CSV links keep it)."""
        args = {
            "q": self.search,
            "status": self.status,
            "plan": self.plan,
            "trial_days": self.trial_ends_within_days,
            "past_due": "1" if self.past_due else None,
            "created_from": self.created_from.isoformat() if self.created_from else None,
            "created_to": self.created_to.isoformat() if self.created_to else None,
            "sort": self.sort if self.sort != "created" else None,
            "dir": None if self.descending else "asc",
        }
        return {key: value for key, value in args.items() if value not in (None, "")}


@dataclass(frozen=True)
class ShopRow:
    """One line of the shops list."""

    tenant: Tenant
    subscription: Subscription | None
    staff_count: int
    storage_bytes: int = 0  # documents and photos stored
    document_count: int = 0

    @property
    def plan_label(self) -> str:
        if self.subscription is None or not self.subscription.plan:
            return "Trial plan"
        label = effective_plan(self.subscription).name
        return f"{label} (comped)" if self.subscription.comped_until else label


@dataclass(frozen=True)
class ShopPage:
    """A page of the shops list."""

    rows: list[ShopRow]
    total: int
    page: int
    pages: int


def _staff_counts():
    return (
        select(User.tenant_id, func.count().label("staff"))
        .where(User.is_active_account.is_(True))
        .group_by(User.tenant_id)
        .subquery()
    )


def _conditions(shop_filter: ShopFilter, now: datetime) -> list:
    conditions = []
    if shop_filter.search:
        conditions.append(
            or_(
                Tenant.name.icontains(shop_filter.search, autoescape=True),
                Tenant.subdomain.icontains(shop_filter.search, autoescape=True),
            )
        )
    if shop_filter.status == SUSPENDED:
        conditions.append(Tenant.suspended_at.is_not(None))
    elif shop_filter.status == CLOSING:
        conditions.append(Tenant.deletion_due_at.is_not(None))
    elif shop_filter.status:
        conditions.append(Tenant.status == shop_filter.status)
    if shop_filter.plan == TRIAL_PLAN:
        conditions.append(or_(Subscription.plan.is_(None), Subscription.tenant_id.is_(None)))
    elif shop_filter.plan == COMPED:
        conditions.append(Subscription.comped_until.is_not(None))
    elif shop_filter.plan:
        conditions.append(Subscription.plan == shop_filter.plan)
    if shop_filter.trial_ends_within_days is not None:
        conditions += [
            Tenant.status == TenantStatus.TRIALING,
            Tenant.trial_ends_at >= now,
            Tenant.trial_ends_at < now + timedelta(days=shop_filter.trial_ends_within_days),
        ]
    if shop_filter.past_due:
        conditions.append(Subscription.status == S.PAST_DUE)
    if shop_filter.created_from:
        conditions.append(Tenant.created_at >= datetime.combine(shop_filter.created_from, time.min, UTC))
    if shop_filter.created_to:
        conditions.append(
            Tenant.created_at < datetime.combine(shop_filter.created_to + timedelta(days=1), time.min, UTC)
        )
    return conditions


def _listing(shop_filter: ShopFilter) -> Select:
    """Shops with their subscription, staff count and storage, filtered and sorted."""
    staff = _staff_counts()
    storage = usage_by_tenant_query().subquery()
    staff_count = func.coalesce(staff.c.staff, 0)
    stored = func.coalesce(storage.c.bytes, 0)
    query = (
        select(Tenant, Subscription, staff_count, stored, func.coalesce(storage.c.count, 0))
        .outerjoin(Subscription, Subscription.tenant_id == Tenant.id)
        .outerjoin(staff, staff.c.tenant_id == Tenant.id)
        .outerjoin(storage, storage.c.tenant_id == Tenant.id)
        .where(*_conditions(shop_filter, utcnow()))
    )
    column = {
        "created": Tenant.created_at,
        "name": func.lower(Tenant.name),
        "trial_end": Tenant.trial_ends_at,
        "staff": staff_count,
        "storage": stored,
    }[shop_filter.sort if shop_filter.sort in SORTS else "created"]
    order = column.desc().nulls_last() if shop_filter.descending else column.asc().nulls_last()
    tiebreak = Tenant.id.desc() if shop_filter.descending else Tenant.id.asc()
    return query.order_by(order, tiebreak)


def list_shops(shop_filter: ShopFilter, page: int = 1) -> ShopPage:
    """One page of the shops list; an audited cross-tenant read (two queries)."""
    query = _listing(shop_filter)
    with cross_tenant_scope("platform: the shops list"):
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, page), pages)
        result = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    described = ", ".join(f"{key}={value}" for key, value in shop_filter.as_args().items())
    audit.record("shops.list", detail=f"{described or 'all shops'}; page {page}")
    return ShopPage([ShopRow(*row) for row in result], total, page, pages)


CSV_COLUMNS = (
    "id",
    "name",
    "subdomain",
    "country",
    "status",
    "suspended",
    "closing on",
    "plan",
    "subscription status",
    "comped until",
    "trial ends",
    "staff",
    "storage bytes",
    "documents",
    "created",
)


def _iso(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else ""


def _csv_safe(value: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula (a shop's name is chosen at signup)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def shops_csv(shop_filter: ShopFilter) -> str:
    """Every shop the filter selects, as CSV (one query); the export is audited."""
    with cross_tenant_scope("platform: the shops list as CSV"):
        rows = [ShopRow(*row) for row in db.session.execute(_listing(shop_filter)).all()]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        tenant, subscription = row.tenant, row.subscription
        writer.writerow(
            (
                tenant.id,
                _csv_safe(tenant.name),
                tenant.subdomain,
                tenant.country,
                tenant.status,
                "yes" if tenant.is_suspended else "",
                _iso(tenant.deletion_due_at),
                row.plan_label,
                subscription.status if subscription else S.NONE,
                _iso(subscription.comped_until if subscription else None),
                _iso(tenant.trial_ends_at),
                row.staff_count,
                row.storage_bytes,
                row.document_count,
                _iso(tenant.created_at),
            )
        )
    audit.record("shops.export_csv", detail=f"{len(rows)} shops; {shop_filter.as_args() or 'all shops'}")
    return out.getvalue()


# --- one shop ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    customers: int
    work_orders: int
    invoices: int


@dataclass(frozen=True)
class ShopDetail:
    """What the console's page of one shop shows."""

    tenant: Tenant
    subscription: Subscription | None
    billing_events: list[StripeEvent]
    staff: list[User]
    storage_bytes: int
    document_count: int
    counts: Counts
    last_activity_at: datetime | None
    privacy_requests: list[PrivacyRequest]
    audit_entries: list = field(default_factory=list)

    @property
    def plan_label(self) -> str:
        return ShopRow(self.tenant, self.subscription, 0).plan_label


def _count(model, tenant_id: int):
    return select(func.count()).select_from(model).where(model.tenant_id == tenant_id).scalar_subquery()


def load_tenant(tenant_id: int) -> Tenant:
    """The shop with this id, whoever's it is (the console works across shops), or 404."""
    if not is_valid_id(tenant_id):
        abort(404)
    with cross_tenant_scope(f"platform: shop {tenant_id}"):
        tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        abort(404)
    return tenant


def shop_detail(tenant_id: int) -> ShopDetail:
    """One shop's page (404 for an unknown id): a fixed number of queries; the view is audited."""
    tenant = load_tenant(tenant_id)
    with cross_tenant_scope(f"platform: the page of shop {tenant_id}"):
        subscription = db.session.scalar(select(Subscription).where(Subscription.tenant_id == tenant_id))
        events = db.session.scalars(
            select(StripeEvent)
            .where(StripeEvent.shop_id == tenant_id)
            .order_by(StripeEvent.received_at.desc(), StripeEvent.id)
            .limit(10)
        ).all()
        staff = db.session.scalars(
            select(User)
            .where(User.tenant_id == tenant_id)
            .order_by(User.is_active_account.desc(), User.role, func.lower(User.name), User.id)
        ).all()
        storage = usage_by_tenant_query().subquery()
        usage = db.session.execute(select(storage).where(storage.c.tenant_id == tenant_id)).first()
        counts = db.session.execute(
            select(_count(Customer, tenant_id), _count(WorkOrder, tenant_id), _count(Invoice, tenant_id))
        ).one()
        requests = db.session.scalars(
            select(PrivacyRequest)
            .where(PrivacyRequest.tenant_id == tenant_id, PrivacyRequest.status.in_(OPEN_STATUSES))
            .order_by(PrivacyRequest.due_on, PrivacyRequest.id)
        ).all()
        entries = audit.entries_for_shop(tenant_id)
    logins = [user.last_login_at for user in staff if user.last_login_at is not None]
    audit.record("shops.view", shop_id=tenant_id)
    return ShopDetail(
        tenant=tenant,
        subscription=subscription,
        billing_events=list(events),
        staff=list(staff),
        storage_bytes=int(usage.bytes) if usage else 0,
        document_count=int(usage.count) if usage else 0,
        counts=Counts(*counts),
        last_activity_at=max(logins, default=None),
        privacy_requests=list(requests),
        audit_entries=entries,
    )


def due_soon(request: PrivacyRequest, today: date | None = None) -> bool:
    """True when a privacy request is due within 5 days or overdue (the console highlights it)."""
    today = today or utcnow().date()
    return request.due_on <= today + timedelta(days=5)
