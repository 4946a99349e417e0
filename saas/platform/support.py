"""Support access: a platform admin enters a shop as one of its staff, for a reason and a limited time.

1. Start (console): `start_visit` creates the shop's `SupportVisit` (changes allowed only if the owner
   allows them now), mails every owner, writes the platform audit entry and answers a signed link to
   the shop's host that works once, for `ENTER_LINK_SECONDS`.
2. Enter (the shop's host): `enter_visit` spends the link; the browser's session then carries the
   identity `support:<tenant>:<visit>:<user>`, which `load_visitor` turns back into that staff
   account only while the visit lives (entered, not ended, not expired), so every permission check
   works as that person. The request gets a `LiveVisit` on `g` (`current_visit`).
3. During: writes are refused unless the visit may make changes (`refuses_request`); every request
   is kept as a `SupportVisitPage` for the owner.
4. End: `end_visit` (the banner's button, or logging out), or the visit simply expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, url_for
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import selectinload

from saas.auth.models import User
from saas.auth.services import active_owners
from saas.auth.tokens import InvalidToken, make_token, read_token
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.mail import send_mail
from saas.core.tenancy import active_tenant, is_valid_id, tenant_scope
from saas.core.tenant import Tenant
from saas.platform import audit
from saas.platform.models import PlatformAdmin, SupportVisit, SupportVisitPage

IDENTITY_KIND = "support"
TOKEN_PURPOSE = "support-visit"
ENTER_LINK_SECONDS = 120  # the link the console's redirect carries: long enough to follow, too short to share
MIN_MINUTES, MAX_MINUTES = 5, 120
SAFE_METHODS = frozenset({"GET", "HEAD"})
# What a read-only visit may still send: ending itself (its banner's button, or logging out).
ALWAYS_ALLOWED_ENDPOINTS = frozenset({"platform_support.end", "auth.logout"})
PATH_MAX, QUERY_MAX = 400, 80
RECENT_VISITS = 10


class SupportAccessError(ServiceError):
    """Support access refused: the shop, the staff member or the link does not allow it."""


@dataclass(frozen=True)
class StartedVisit:
    """A visit just created: where the admin's browser goes next."""

    visit_id: int
    subdomain: str
    token: str


@dataclass(frozen=True)
class LiveVisit:
    """The visit a request belongs to, as the banner, the guard and the page log need it."""

    visit_id: int
    admin_name: str
    user_name: str
    expires_at: datetime
    write_allowed: bool


def default_minutes() -> int:
    """How long a visit lasts unless the admin chooses otherwise (SUPPORT_ACCESS_MINUTES, within bounds)."""
    return min(MAX_MINUTES, max(MIN_MINUTES, int(current_app.config["SUPPORT_ACCESS_MINUTES"])))


# --- starting a visit (console) -----------------------------------------------------------


def start_visit(admin: PlatformAdmin, tenant_id: int, user_id: int | None, reason: str, minutes: int) -> StartedVisit:
    """Open a visit of `admin` into shop `tenant_id` as staff member `user_id`, for `minutes`.

    Refused for an unknown (404) or suspended shop, and for anyone but an active staff member of that shop.
    """
    reason = (reason or "").strip()
    if not reason:
        raise SupportAccessError("Say why you enter the shop: the owner reads it.", field="reason")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise SupportAccessError(f"Choose between {MIN_MINUTES} and {MAX_MINUTES} minutes.", field="minutes")
    if not is_valid_id(tenant_id):
        raise SupportAccessError("There is no such shop.", status=404)
    with tenant_scope(tenant_id):
        tenant = db.session.get(Tenant, tenant_id)
        if tenant is None:
            raise SupportAccessError("There is no such shop.", status=404)
        if tenant.is_suspended:
            raise SupportAccessError("This shop is suspended: reactivate it before entering it.", status=409)
        user = db.session.scalar(select(User).where(User.id == user_id)) if is_valid_id(user_id) else None
        if user is None or not user.is_active:
            raise SupportAccessError("Choose an active staff member of this shop.", field="user_id")
        visit = SupportVisit(
            admin_id=admin.id,
            admin_name=admin.name,
            admin_email=admin.email,
            user_id=user.id,
            reason=reason,
            write_allowed=tenant.support_write_allowed,
            started_at=utcnow(),
        )
        visit.expires_at = visit.started_at + timedelta(minutes=minutes)
        db.session.add(visit)
        db.session.flush()
        _mail_owners(tenant, visit, user, minutes)
    audit.record(
        "shops.support_access",
        admin=admin,
        shop_id=tenant_id,
        reason=reason,
        detail=f"as {user.email} for {minutes} min, {'changes allowed' if visit.write_allowed else 'read-only'}",
        after={"visit_id": visit.id, "user_id": user.id, "minutes": minutes, "write_allowed": visit.write_allowed},
    )
    token = make_token(TOKEN_PURPOSE, {"shop": tenant_id, "visit": visit.id})
    return StartedVisit(visit.id, tenant.subdomain, token)


def _mail_owners(tenant: Tenant, visit: SupportVisit, user: User, minutes: int) -> None:
    """Tell every active owner who enters, as whom, why and until when (inside the shop's scope)."""
    log_link = url_for("platform_support.settings", shop=tenant.subdomain, _external=True)
    for owner in active_owners():
        send_mail(
            owner.email,
            f"Workbay support is entering {tenant.name}",
            "platform/email/support_visit",
            owner=owner,
            shop=tenant,
            visit=visit,
            user=user,
            minutes=minutes,
            log_link=log_link,
        )


# --- entering and living (the shop's host) -------------------------------------------------


def identity(tenant_id: int, visit_id: int, user_id: int) -> str:
    """The session identity of a support visit (see `saas.auth.sessions`)."""
    return f"{IDENTITY_KIND}:{tenant_id}:{visit_id}:{user_id}"


def identity_tenant(value: object) -> int | None:
    """The shop a support identity names, or None for any other session identity."""
    if not isinstance(value, str) or not value.startswith(f"{IDENTITY_KIND}:"):
        return None
    tenant = value.split(":")[1]
    return int(tenant) if tenant.isascii() and tenant.isdigit() else None


def enter_visit(token: str) -> tuple[str, User]:
    """Spend the link of a visit into the current shop: its session identity and the staff account.

    A broken, expired, used or foreign link (another shop's, above all) is refused with 404.
    """
    refused = SupportAccessError(
        "This support link does not work: it expired, was used, or is not for this shop.", status=404
    )
    tenant = active_tenant()
    try:
        payload = read_token(TOKEN_PURPOSE, token, ENTER_LINK_SECONDS)
    except InvalidToken:
        raise refused from None
    visit_id = payload.get("visit")
    if tenant is None or payload.get("shop") != tenant.id or not is_valid_id(visit_id):
        raise refused
    now = utcnow()
    # One statement checks and spends the link, so two requests with it cannot both enter.
    user_id = db.session.execute(
        update(SupportVisit)
        .where(
            SupportVisit.id == visit_id,
            SupportVisit.entered_at.is_(None),
            SupportVisit.ended_at.is_(None),
            SupportVisit.expires_at > now,
        )
        .values(entered_at=now)
        .returning(SupportVisit.user_id)
        .execution_options(synchronize_session=False)
    ).scalar()
    user = db.session.scalar(select(User).where(User.id == user_id)) if user_id is not None else None
    if user is None or not user.is_active:
        raise refused
    return identity(tenant.id, visit_id, user.id), user


def load_visitor(tenant_id: int, visit_id: int, user_id: int) -> User | None:
    """The session loader of support identities: the staff account while the visit lives, else None."""
    tenant = active_tenant()
    if tenant is None or tenant.id != tenant_id:
        return None
    row = db.session.execute(
        select(SupportVisit, User)
        .join(User, and_(User.tenant_id == SupportVisit.tenant_id, User.id == SupportVisit.user_id))
        .where(SupportVisit.id == visit_id, SupportVisit.user_id == user_id)
    ).first()
    if row is None:
        return None
    visit, user = row
    if not visit.is_live or not user.is_active:
        return None
    g.support_visit = LiveVisit(visit.id, visit.admin_name, user.name, visit.expires_at, visit.write_allowed)
    return user


def current_visit() -> LiveVisit | None:
    """The live support visit this request belongs to, if any (set when its session is loaded)."""
    return g.get("support_visit")


def refuses_request(visit: LiveVisit, method: str, endpoint: str | None) -> bool:
    """True when a read-only visit sends a write (anything but GET/HEAD, except ending the visit)."""
    return not visit.write_allowed and method not in SAFE_METHODS and endpoint not in ALWAYS_ALLOWED_ENDPOINTS


def end_visit(visit_id: int) -> None:
    """End a visit now (once; a visit that ended or expired stays as it was)."""
    db.session.execute(
        update(SupportVisit)
        .where(SupportVisit.id == visit_id, SupportVisit.ended_at.is_(None))
        .values(ended_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def page_path(path: str, query: bytes | str) -> str:
    """A request's path with its query string, both cut short (search words are kept, essays are not)."""
    if isinstance(query, bytes):
        query = query.decode("utf-8", "replace")
    path = path[:PATH_MAX]
    return f"{path}?{query[:QUERY_MAX]}{'…' if len(query) > QUERY_MAX else ''}" if query else path


def record_page(visit: LiveVisit, method: str, path: str, status: int) -> None:
    """Keep one request of a visit for the owner (added to the session; the request layer commits it)."""
    db.session.add(SupportVisitPage(visit_id=visit.visit_id, method=method[:10], path=path[:500], status=status))


# --- what the console and the owner see -----------------------------------------------------


@dataclass(frozen=True)
class VisitList:
    """Visits with the names of the staff they acted as (by user id) and how many pages each opened."""

    visits: list[SupportVisit]
    names: dict[int, str]
    page_counts: dict[int, int]


def _visit_list(visits: list[SupportVisit]) -> VisitList:
    """Names and page counts of `visits` in two queries, whatever their number."""
    ids = [visit.id for visit in visits]
    counts = (
        dict(
            db.session.execute(
                select(SupportVisitPage.visit_id, func.count())
                .where(SupportVisitPage.visit_id.in_(ids))
                .group_by(SupportVisitPage.visit_id)
            ).all()
        )
        if ids
        else {}
    )
    return VisitList(list(visits), names_of(visits), counts)


@dataclass(frozen=True)
class ConsolePanel:
    """The console's support panel of a shop: who may be entered as, and the latest visits."""

    tenant: Tenant
    staff: list[User]
    recent: VisitList


def console_panel(tenant: Tenant) -> ConsolePanel:
    """The shop's active staff and its latest visits (a fixed number of queries, in the shop's scope)."""
    with tenant_scope(tenant.id):
        staff = db.session.scalars(
            select(User).where(User.is_active_account.is_(True)).order_by(func.lower(User.name), User.id)
        ).all()
        visits = db.session.scalars(
            select(SupportVisit).order_by(SupportVisit.started_at.desc(), SupportVisit.id.desc()).limit(RECENT_VISITS)
        ).all()
        recent = _visit_list(list(visits))
    return ConsolePanel(tenant, list(staff), recent)


def visits_newest_first():
    """The current shop's visits, newest first, each with the pages it opened (for the owner's log)."""
    return (
        select(SupportVisit)
        .options(selectinload(SupportVisit.pages))
        .order_by(SupportVisit.started_at.desc(), SupportVisit.id.desc())
    )


def names_of(visits: list[SupportVisit]) -> dict[int, str]:
    """The names of the staff these visits acted as (one query)."""
    user_ids = {visit.user_id for visit in visits}
    if not user_ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())


def set_write_allowed(tenant: Tenant, allowed: bool) -> None:
    """The owner's choice: may Workbay support make changes during visits started from now on?

    Support cannot change it for itself: a visit asking is refused (403).
    """
    if current_visit() is not None:
        raise SupportAccessError("Only the shop's own staff can change this, not Workbay support.", status=403)
    tenant.support_write_allowed = bool(allowed)
    db.session.flush()
