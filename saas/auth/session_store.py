"""Server-side login sessions: every login is a row, and a login works only while its row is open.

A login opens a row (`open_session`: a random token, whose SHA-256 is kept; when, from which address
and browser). The session identity that Flask-Login keeps in the session cookie and in the "keep me
logged in" cookie names the row and carries the token (`staff:<tenant>:<row>:<token>`, see
`saas.auth.sessions`), so both cookies stop working the moment the row does:

* logging out revokes the request's row (`end_current_session`, on Flask-Login's `user_logged_out`);
* "log out everywhere", a password change, a deactivation, a reset of the second factor bump the
  account's `session_version`, and the flush that writes the bump revokes every open row of that
  account (`_revoke_on_version_bump`): one rule, the row, whatever ended it;
* a row expires `lifetime` after it was last seen (12 hours, or the remember cookie's 14 days; the
  console's idle limit); `last_seen_at` is written at most every TOUCH_EVERY, not on every request.

Even a leaked SECRET_KEY does not forge a live session: the token is random and only its hash is
stored. Rows that ended are deleted by a daily job (`saas.auth.tasks`).

Each kind of account registers its table (`register_session_table`): staff (`StaffSession`, a shop
table), platform admins (`saas.platform`). A customers' portal would add its own row model
(`LoginSessionRecord` + `TenantScoped`, a composite key to its customer), register it here and its
identity in `saas.auth.sessions`, and get logout, "log out everywhere" and pruning as they are.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import g, has_request_context, request
from sqlalchemy import and_, delete, event, inspect, or_, select, update
from sqlalchemy.orm import Session

from saas.auth.models import LoginSessionRecord
from saas.core.db import is_tenant_scoped, utcnow
from saas.core.extensions import db

TOUCH_EVERY = timedelta(minutes=5)
USER_AGENT_MAX = 300
CURRENT_KEY = "login_session"  # on `g`: the row this request's identity was loaded from


@dataclass(frozen=True)
class SessionTable:
    """A kind of account's session rows: the row model, the account model and the column naming it."""

    model: type[LoginSessionRecord]
    account: type
    account_column: str

    @property
    def shop(self) -> bool:
        """A shop's table (pruned shop by shop) rather than a platform one."""
        return is_tenant_scoped(self.model)

    def of(self, account) -> object:
        """The condition "rows of `account`"."""
        return getattr(self.model, self.account_column) == account.id


TABLES: dict[type, SessionTable] = {}  # by account model


def register_session_table(model: type[LoginSessionRecord], account: type, account_column: str) -> None:
    """Let `account`s log in with rows of `model` (their `account_column` names the account)."""
    TABLES[account] = SessionTable(model, account, account_column)


def _table(account) -> SessionTable:
    return TABLES[type(account)]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- one login ------------------------------------------------------------------------------


def open_session(account, lifetime: timedelta, *, remember: bool = False) -> tuple[LoginSessionRecord, str]:
    """A new open row for a login of `account` (flushed), and its token in clear (for the identity only)."""
    table = _table(account)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    address, browser = (request.remote_addr, request.user_agent.string) if has_request_context() else (None, "")
    row = table.model(
        token_hash=_hash(token),
        remember=remember,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        ip_address=address[:45] if address else None,
        user_agent=(browser or "")[:USER_AGENT_MAX],
        **{table.account_column: account.id},
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def accept(row: LoginSessionRecord | None, token: str, idle: timedelta | None) -> bool:
    """Whether `row` is open and `token` is its token; if so it becomes the request's row, seen now.

    `last_seen_at` is written at most every TOUCH_EVERY, so a page view rarely writes; with `idle` the
    row then lasts until `idle` after now (a login that ends when left unused), else its end stays.
    """
    if row is None or not row.is_open or not hmac.compare_digest(row.token_hash, _hash(token)):
        return False
    now = utcnow()
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        if idle is not None:
            row.expires_at = max(row.expires_at, now + idle)
    if has_request_context():
        setattr(g, CURRENT_KEY, row)
    return True


def current_session() -> LoginSessionRecord | None:
    """The row of this request's login, once its identity was loaded (None: anonymous, a support visit)."""
    return g.get(CURRENT_KEY) if has_request_context() else None


def revoke(row: LoginSessionRecord) -> None:
    """End one login now (its cookies log nobody in any more)."""
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.flush()


def end_current_session() -> None:
    """Revoke the row of this request's login, if it has one (logging out)."""
    row = current_session()
    if row is not None:
        revoke(row)
        g.pop(CURRENT_KEY, None)


def end_every_session(account) -> None:
    """End every login of `account`, this one too ("log out everywhere"): its session version moves on."""
    account.session_version += 1
    db.session.flush()


# --- an account's sessions ------------------------------------------------------------------


def open_sessions(account) -> list[LoginSessionRecord]:
    """The account's open logins, the most recently seen first (one query)."""
    model = _table(account).model
    return list(
        db.session.scalars(
            select(model)
            .where(_table(account).of(account), model.revoked_at.is_(None), model.expires_at > utcnow())
            .order_by(model.last_seen_at.desc(), model.id.desc())
        )
    )


def open_session_of(account, session_id: int) -> LoginSessionRecord | None:
    """One open login of `account` by its id (None: another account's, ended, or no such row)."""
    model = _table(account).model
    return db.session.scalar(
        select(model).where(
            model.id == session_id, _table(account).of(account), model.revoked_at.is_(None), model.expires_at > utcnow()
        )
    )


@event.listens_for(Session, "before_flush")
def _revoke_on_version_bump(session, flush_context, instances) -> None:
    """before_flush: an account whose `session_version` changes loses every open row, in this flush.

    Rows added in the same flush are inserted after this runs, so a login right after a password
    change (the reset link logs in) keeps its new row.
    """
    now = utcnow()
    for account in session.dirty:
        table = TABLES.get(type(account))
        if table is None or not inspect(account).attrs.session_version.history.has_changes():
            continue
        condition = [table.of(account), table.model.revoked_at.is_(None)]
        if table.shop:
            condition.append(table.model.tenant_id == account.tenant_id)
        session.execute(update(table.model).where(*condition).values(revoked_at=now))


# --- pruning --------------------------------------------------------------------------------


def ended_before(model: type[LoginSessionRecord], moment: datetime) -> object:
    """Rows that stopped working before `moment` (revoked or expired)."""
    return or_(model.revoked_at < moment, and_(model.revoked_at.is_(None), model.expires_at < moment))


def prune(model: type[LoginSessionRecord]) -> int:
    """Delete the rows of `model` (in the current shop, for a shop table) that no longer log anyone in."""
    return db.session.execute(delete(model).where(ended_before(model, utcnow()))).rowcount


def shop_tables() -> list[type[LoginSessionRecord]]:
    """The session tables that belong to shops (staff, and any customers' portal)."""
    return [table.model for table in TABLES.values() if table.shop]


def platform_tables() -> list[type[LoginSessionRecord]]:
    """The session tables outside any shop (platform admins)."""
    return [table.model for table in TABLES.values() if not table.shop]
