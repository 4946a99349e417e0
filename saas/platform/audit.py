"""The platform audit trail: every console action, who did it, when, from where, why, before and after.

An entry about a shop names the shop by id (no foreign key: it outlives a deleted shop). Actions on a
shop carry the admin's reason and the shop's state before and after, so the trail reads on its own.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from saas.core.extensions import db
from saas.platform.models import PlatformAdmin, PlatformAuditEntry


def _acting_admin() -> PlatformAdmin | None:
    if has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
        if isinstance(user, PlatformAdmin):
            return user
    return None


def record(
    action: str,
    *,
    admin: PlatformAdmin | None = None,
    shop_id: int | None = None,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str = "",
) -> PlatformAuditEntry:
    """Write one entry (flushed with the request's transaction). `admin` defaults to the logged-in admin;
    jobs pass None. The address comes from the request, when there is one."""
    admin = admin or _acting_admin()
    entry = PlatformAuditEntry(
        admin_id=admin.id if admin else None,
        action=action[:80],
        shop_id=shop_id,
        reason=reason,
        before=before,
        after=after,
        detail=detail,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


READS = ("shops.view",)  # looking at a shop is audited too, but its page lists what was done to it


def entries_for_shop(shop_id: int, limit: int = 50) -> list[PlatformAuditEntry]:
    """The latest actions on one shop (not the views of its page), newest first."""
    return list(
        db.session.scalars(
            select(PlatformAuditEntry)
            .where(PlatformAuditEntry.shop_id == shop_id, PlatformAuditEntry.action.not_in(READS))
            .order_by(PlatformAuditEntry.created_at.desc(), PlatformAuditEntry.id.desc())
            .limit(limit)
        )
    )
