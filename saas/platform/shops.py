"""The console's shops overview: every shop with its numbers, searched, filtered, sorted, paginated."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import func, or_, select

from saas.auth.models import User
from saas.core.extensions import db
from saas.core.tenancy import cross_tenant_scope, is_valid_id
from saas.core.tenant import Tenant
from saas.documents.services import usage_by_tenant_query
from saas.platform import audit
from saas.platform.models import PlatformAdmin

PAGE_SIZE = 25


@dataclass(frozen=True)
class ShopRow:
    """One line of the shops overview."""

    tenant: Tenant
    staff_count: int
    storage_bytes: int = 0  # documents and photos stored
    document_count: int = 0


@dataclass(frozen=True)
class ShopPage:
    """A page of the shops overview."""

    rows: list[ShopRow]
    total: int
    page: int
    pages: int


def shops_overview(admin: PlatformAdmin, search: str = "", page: int = 1) -> ShopPage:
    """Shops with their staff counts, searched by name or subdomain; an audited cross-tenant read."""
    staff_counts = (
        select(User.tenant_id, func.count().label("staff"))
        .where(User.is_active_account.is_(True))
        .group_by(User.tenant_id)
        .subquery()
    )
    storage = usage_by_tenant_query().subquery()
    query = (
        select(
            Tenant,
            func.coalesce(staff_counts.c.staff, 0),
            func.coalesce(storage.c.bytes, 0),
            func.coalesce(storage.c.count, 0),
        )
        .outerjoin(staff_counts, staff_counts.c.tenant_id == Tenant.id)
        .outerjoin(storage, storage.c.tenant_id == Tenant.id)
    )
    count_query = select(func.count()).select_from(Tenant)
    search = search.strip()
    if search:
        condition = or_(
            Tenant.name.icontains(search, autoescape=True), Tenant.subdomain.icontains(search, autoescape=True)
        )
        query = query.where(condition)
        count_query = count_query.where(condition)
    with cross_tenant_scope(f"platform shops overview by admin {admin.id}"):
        total = db.session.scalar(count_query)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, page), pages)
        result = db.session.execute(
            query.order_by(Tenant.created_at.desc(), Tenant.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        ).all()
    audit.record("shops.list", admin=admin, detail=f"search={search!r} page={page}")
    rows = [ShopRow(tenant, staff, int(stored), int(files)) for tenant, staff, stored, files in result]
    return ShopPage(rows, total, page, pages)


@dataclass(frozen=True)
class ShopDetail:
    """What the console's page of one shop shows."""

    tenant: Tenant
    audit_entries: list


def shop_detail(tenant_id: int) -> ShopDetail:
    """One shop's page (404 for an unknown id); an audited cross-tenant read."""
    with cross_tenant_scope(f"platform: the page of shop {tenant_id}"):
        tenant = db.session.get(Tenant, tenant_id) if is_valid_id(tenant_id) else None
        if tenant is None:
            abort(404)
        entries = audit.entries_for_shop(tenant_id)
    audit.record("shops.view", shop_id=tenant_id)
    return ShopDetail(tenant, entries)
