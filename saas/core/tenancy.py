"""Which shop a request belongs to, and the central scoping of every query to it.

Three sites share one app, told apart by the Host header:

* the public site on the apex host (`localhost:5000`): signup, pricing, policies;
* a shop on `<subdomain>.<apex>`: the shop's staff and its customers;
* the platform console on `admin.<apex>`.

In a shop's request the tenant is activated on the database session. From then on:

1. every ORM SELECT/UPDATE/DELETE touching a `TenantScoped` model gets a
   `tenant_id = :current` criterion (`do_orm_execute` + `with_loader_criteria`);
2. every new `TenantScoped` row gets the current `tenant_id`, and a row claiming another
   tenant is refused before it is flushed;
3. each transaction runs `set_config('workbay.tenant_id', id, true)` so PostgreSQL
   row-level security enforces the same rule for anything the ORM does not see (raw SQL).

Work that spans tenants (the platform console, scheduled fan-outs) must say so through
`cross_tenant_scope`, which is logged, and runs as the platform database role: a shop's or the
public site's request works as the web role (`choose_request_role`), which PostgreSQL never shows
more than one shop per transaction (`saas.core.database_roles`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import abort, current_app, g, has_app_context, request
from flask_sqlalchemy.session import Session
from psycopg.pq import TransactionStatus
from sqlalchemy import event, select, text
from sqlalchemy.orm import ORMExecuteState, with_loader_criteria
from werkzeug.local import LocalProxy
from werkzeug.routing import IntegerConverter

from saas.core.database_roles import PLATFORM_ROLE, WEB_ROLE, session_role, set_session_role
from saas.core.db import TenantScoped, is_tenant_scoped
from saas.core.extensions import db
from saas.core.tenant import Tenant

log = logging.getLogger(__name__)

PLATFORM_SUBDOMAIN = "admin"
TENANT_SETTING = "workbay.tenant_id"
CROSS_TENANT_SETTING = "workbay.cross_tenant"
# Endpoints that answer on any host without looking up a shop.
HOSTLESS_ENDPOINTS = {"static", "shop_static", "health.healthz"}


class TenantContextError(RuntimeError):
    """A shop's data was queried or written without a tenant (a programming error)."""


@dataclass(frozen=True)
class Site:
    """What a Host header points at: the public site, the platform console or a shop."""

    kind: str  # "public" | "platform" | "shop"
    subdomain: str | None = None


def base_host() -> str:
    """The apex host name, without port (from SERVER_NAME)."""
    return current_app.config["SERVER_NAME"].split(":", 1)[0].lower()


def site_for_host(host: str) -> Site:
    """Classify a Host header value (port allowed) against the configured apex host."""
    hostname = host.split(":", 1)[0].lower().rstrip(".")
    apex = base_host()
    if hostname == apex:
        return Site("public")
    sub = hostname.removesuffix("." + apex) if hostname.endswith("." + apex) else None
    if sub == PLATFORM_SUBDOMAIN:
        return Site("platform")
    return Site("shop", sub)


def choose_request_role(sender=None, **extra) -> None:
    """request_started: the console's requests work as the platform database role, all others as the
    web role; chosen from the Host before any before_request hook or query runs."""
    role = PLATFORM_ROLE if site_for_host(request.host).kind == "platform" else WEB_ROLE
    set_session_role(db.session(), role)


def _load_tenant(subdomain: str | None) -> Tenant | None:
    if not subdomain or "." in subdomain:
        return None
    return db.session.scalar(select(Tenant).where(Tenant.subdomain == subdomain))


def resolve_request_site() -> None:
    """before_request: classify the host; in a shop, load the tenant and activate it."""
    g.site = site_for_host(request.host)
    g.tenant = None
    if request.endpoint in HOSTLESS_ENDPOINTS:
        return
    if g.site.kind == "platform":
        # `<shop>` routes match "admin" too; the console host serves the console only.
        if request.blueprint != "platform":
            abort(404)
        return
    if g.site.kind != "shop":
        return
    tenant = _load_tenant(g.site.subdomain)
    if tenant is None:
        g.unknown_shop = True
        abort(404)
    g.tenant = tenant
    activate_tenant(tenant.id)


def _get_current_tenant():
    return g.get("tenant")


current_tenant = LocalProxy(_get_current_tenant)


def active_tenant() -> Tenant | None:
    """The shop the session is scoped to: the request's (loaded once per request), else its row by id
    (jobs, CLI commands, `tenant_scope` blocks)."""
    tenant_id = active_tenant_id()
    if tenant_id is None:
        return None
    tenant = g.get("tenant") if has_app_context() else None
    if tenant is not None and tenant.id == tenant_id:
        return tenant
    return db.session.get(Tenant, tenant_id)


def current_site() -> Site:
    """The site of the current request (public when outside a request)."""
    return g.get("site") or Site("public")


# --- the session side -------------------------------------------------------------------


def _apply_to_connection(connection, info: dict) -> None:
    tenant_id = info.get("tenant_id")
    cross = info.get("cross_tenant", False)
    connection.execute(
        text("SELECT set_config(:tenant_key, :tenant, true), set_config(:cross_key, :cross, true)"),
        {
            "tenant_key": TENANT_SETTING,
            "tenant": "" if tenant_id is None else str(tenant_id),
            "cross_key": CROSS_TENANT_SETTING,
            "cross": "on" if cross else "",
        },
    )


def _sync_transaction(session) -> None:
    transaction = session.get_transaction()
    if transaction is None or not transaction.is_active:
        return  # none yet, or one a failed flush is rolling back: the next one starts clean
    connection = session.connection()
    if connection.connection.dbapi_connection.info.transaction_status == TransactionStatus.INERROR:
        return  # a failed transaction must surface its own error; the next one gets settings in after_begin
    _apply_to_connection(connection, session.info)


def activate_tenant(tenant_id: int | None, session=None) -> None:
    """Make `tenant_id` the tenant of `session` (default: the app's) for all that follows."""
    session = session or db.session()
    session.info["tenant_id"] = tenant_id
    _sync_transaction(session)


def active_tenant_id(session=None) -> int | None:
    """The tenant id the session is scoped to, if any."""
    session = session or db.session()
    return session.info.get("tenant_id")


@contextmanager
def tenant_scope(tenant_id: int, session=None) -> Iterator[None]:
    """Run a block as `tenant_id` (CLI commands, jobs, signup), then restore the previous tenant.

    Changes made in the block are flushed before leaving it: they belong to this tenant, and
    row-level security would hide their rows from a flush made as another one.
    """
    session = session or db.session()
    previous = session.info.get("tenant_id")
    activate_tenant(tenant_id, session)
    try:
        yield
        session.flush()
    finally:
        session.info["tenant_id"] = previous
        _sync_transaction(session)


@contextmanager
def cross_tenant_scope(reason: str, session=None) -> Iterator[None]:
    """The explicit path for platform work across tenants; logged with its reason.

    Only for the platform database role (the console, jobs, commands): a shop's or the public site's
    request raises `TenantContextError`, since its role could not see across shops anyway.
    """
    session = session or db.session()
    if session_role(session) != PLATFORM_ROLE:
        raise TenantContextError(
            f"cross-tenant access ({reason}) is for the platform console, jobs and commands; "
            "this request works as the web database role, which sees one shop at most"
        )
    log.info("cross-tenant access: %s", reason)
    previous = session.info.get("cross_tenant", False)
    session.info["cross_tenant"] = True
    _sync_transaction(session)
    try:
        yield
    finally:
        session.info["cross_tenant"] = previous
        _sync_transaction(session)


@event.listens_for(Session, "after_begin")
def _set_tenant_on_transaction(session, transaction, connection) -> None:
    if session.info.get("tenant_id") is not None or session.info.get("cross_tenant"):
        _apply_to_connection(connection, session.info)


@event.listens_for(Session, "do_orm_execute")
def _scope_orm_statement(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    info = state.session.info
    if info.get("cross_tenant"):
        return
    tenant_id = info.get("tenant_id")
    if tenant_id is None:
        if any(is_tenant_scoped(mapper.class_) for mapper in state.all_mappers):
            raise TenantContextError("a shop's data was queried without an active tenant")
        return
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session, flush_context, instances) -> None:
    tenant_id = session.info.get("tenant_id")
    cross = session.info.get("cross_tenant")
    for obj in session.new:
        if not is_tenant_scoped(type(obj)):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise TenantContextError(f"cannot add a {type(obj).__name__} without an active tenant")
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id and not cross:
            raise TenantContextError(f"a {type(obj).__name__} of another tenant cannot be added here")


MAX_ID = 2**63 - 1  # ids are BIGINT


def is_valid_id(value) -> bool:
    """True for an int a row id can be (a larger number is simply not found, never a database error)."""
    return isinstance(value, int) and 0 < value <= MAX_ID


class IdConverter(IntegerConverter):
    """`<int:...>` in URLs: only numbers a BIGINT id can hold match, the rest is a plain 404."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's signature
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def get_or_404(model, ident: int):
    """Load a shop row by id within the current tenant, or answer 404."""
    if not is_valid_id(int(ident)):
        abort(404)
    row = db.session.scalar(select(model).where(model.id == ident))
    if row is None:
        abort(404)
    return row


def fill_shop_url_value(endpoint: str, values: dict) -> None:
    """url_defaults: routes on a subdomain get the current one unless told otherwise."""
    if "shop" in values or not current_app.url_map.is_endpoint_expecting(endpoint, "shop"):
        return
    site = g.get("site")
    if site is not None and site.kind == "shop":
        values["shop"] = site.subdomain
    elif site is not None and site.kind == "platform":
        values["shop"] = PLATFORM_SUBDOMAIN
