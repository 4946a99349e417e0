"""Which PostgreSQL role a database session works as: the web role or the platform role.

The app connects with two roles (README, Deployment), one engine each:

* the *web* role (`DATABASE_URL`) serves the shops and the public site. It is no member of the
  group role `workbay_cross_tenant`, so row-level security never shows it more than one shop in
  a transaction, nor the platform's own tables, whatever it sets (`saas.core.rls`). (It still
  names that shop itself, in `workbay.tenant_id`: an injected statement could name another one.)
* the *platform* role (`PLATFORM_DATABASE_URL`), a member of that group, serves the console on
  `admin.<host>`, the background jobs and the CLI commands: the only work that may cross shops,
  and even then only inside `tenancy.cross_tenant_scope` (explicit and logged).

`RoleSession.get_bind` picks the engine from the session's role. Every HTTP request chooses its
role when it starts, from its Host, before any hook or query (`tenancy.choose_request_role`, on
Flask's `request_started`): the console the platform role, anything else the web role. A session
that no request chose for works as the platform role: a job, a command, a script (`make run`'s
seeding), a test's own app or request context.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask_sqlalchemy.session import Session

log = logging.getLogger(__name__)

WEB_ROLE = "web"
PLATFORM_ROLE = "platform"
PLATFORM_BIND = "platform"  # the platform role's engine in SQLALCHEMY_BINDS
ROLE_KEY = "database_role"  # in `session.info`


class DatabaseRoleError(RuntimeError):
    """A session was asked to change its role in the middle of a transaction (a programming error)."""


def session_role(session) -> str:
    """The role `session` works as: the one chosen for it, else the platform role (no request chose)."""
    return session.info.get(ROLE_KEY, PLATFORM_ROLE)


def set_session_role(session, role: str) -> None:
    """Make `session` work as `role` (WEB_ROLE or PLATFORM_ROLE) from its next transaction on.

    Refused inside a transaction begun as the other role: its statements would be split over two
    connections, committed one after the other.
    """
    if role not in (WEB_ROLE, PLATFORM_ROLE):
        raise ValueError(f"unknown database role {role!r}")
    current = session_role(session)
    if current != role and session.in_transaction():
        raise DatabaseRoleError(
            f"the session already works as the {current} role in this transaction; "
            f"choose the {role} role before the first query (a request chooses at request_started)"
        )
    session.info[ROLE_KEY] = role


class RoleSession(Session):
    """Flask-SQLAlchemy's session, bound to the engine of its role (no model uses bind keys)."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kwargs: Any):
        """The platform role's engine when the session works as the platform role, else the web role's."""
        if bind is not None:
            return bind
        engines = self._db.engines
        if session_role(self) == PLATFORM_ROLE and PLATFORM_BIND in engines:
            return engines[PLATFORM_BIND]
        return engines[None]


def platform_database_url(config) -> str:
    """The platform role's URL: PLATFORM_DATABASE_URL, else the web role's (a one-role setup)."""
    return config.get("PLATFORM_DATABASE_URL") or config["SQLALCHEMY_DATABASE_URI"]


def configure_engines(app: Flask) -> None:
    """Give the platform role its own engine (call before `db.init_app`)."""
    url = app.config.get("PLATFORM_DATABASE_URL")
    if not url:
        # Migrations and one-off scripts need no second role; a deployment that forgets it finds the
        # console and jobs unable to cross shops (the web role is no member of the group), and this says why.
        log.warning("PLATFORM_DATABASE_URL is not set: cross-tenant work connects with DATABASE_URL's role")
        return
    app.config["SQLALCHEMY_BINDS"] = {**app.config.get("SQLALCHEMY_BINDS", {}), PLATFORM_BIND: url}
