"""Platform console: admin accounts, the shops overview, the audit trail of cross-tenant work."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from saas.auth.models import User
from saas.auth.passwords import hash_password, verify_password
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import cross_tenant_scope
from saas.core.tenant import Tenant
from saas.documents.services import usage_by_tenant_query
from saas.platform.access import AdminRole
from saas.platform.models import PlatformAdmin, PlatformAuditEntry

PAGE_SIZE = 25


def create_admin(email: str, name: str, password: str, role: str = AdminRole.OWNER) -> PlatformAdmin:
    """Add a platform admin with a console role (owner: every action; support: reads and helps)."""
    admin = PlatformAdmin(
        email=email.strip().lower(), name=name.strip(), password_hash=hash_password(password), role=AdminRole(role)
    )
    db.session.add(admin)
    db.session.flush()
    return admin


def find_admin(email: str) -> PlatformAdmin | None:
    """The platform admin with this e-mail."""
    return db.session.scalar(select(PlatformAdmin).where(PlatformAdmin.email == email.strip().lower()))


def authenticate_admin(email: str, password: str) -> PlatformAdmin | None:
    """The admin these credentials belong to, or None."""
    admin = find_admin(email)
    return admin if verify_password(admin.password_hash if admin else None, password) else None


def audit(admin: PlatformAdmin | None, action: str, detail: str = "", ip_address: str | None = None) -> None:
    """Write one entry of the platform audit trail."""
    db.session.add(
        PlatformAuditEntry(admin_id=admin.id if admin else None, action=action, detail=detail, ip_address=ip_address)
    )


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


def shops_overview(admin: PlatformAdmin, search: str = "", page: int = 1, ip_address: str | None = None) -> ShopPage:
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
    audit(admin, "shops.list", f"search={search!r} page={page}", ip_address)
    rows = [ShopRow(tenant, staff, int(stored), int(files)) for tenant, staff, stored, files in result]
    return ShopPage(rows, total, page, pages)


def record_admin_login(admin: PlatformAdmin) -> None:
    """Remember the last login time."""
    admin.last_login_at = utcnow()
