"""The access log of personal data: write an entry, search the log, export it, one customer's entries."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from saas.audit import signals
from saas.audit.models import AccessLogEntry
from saas.core.extensions import db
from saas.core.requests import keep_changes
from saas.core.tenancy import active_tenant, is_valid_id

ACTIONS = {
    "view": "Viewed",
    "edit": "Edited",
    "export": "Exported",
    "download": "Downloaded",
    "login_failed": "Failed login",  # written by saas.audit.listeners
}
USER_AGENT_MAX = 300
DESCRIPTION_MAX = 300
REQUEST_NOTE_KEY = "access_log_note"


def note_on_access_log(note: str) -> None:
    """Add `note` to every entry this request writes (who really acted, e.g. "by Workbay support (Ann)").

    A generic hook: a feature above puts the note on the request, the log needs to know nothing of it.
    """
    setattr(g, REQUEST_NOTE_KEY, note)


def _with_note(description: str, note: str | None) -> str:
    """The description with the request's note after it, cut so that the note is always kept whole."""
    description = description or ""
    if not note:
        return description[:DESCRIPTION_MAX]
    note = note[: DESCRIPTION_MAX // 2]
    room = DESCRIPTION_MAX - len(note) - 3
    return f"{description[:room]} — {note}" if description else note


def log_access(action: str, subject_type: str, subject_id: int | None, description: str = "") -> AccessLogEntry:
    """Record that the current staff member `action`-ed a subject's personal data (flushed, not committed).

    Who comes from the logged-in user, where from the request (remote address, browser). The entry
    is committed with the request even when it answers an error status: the data was shown. A note
    the request carries (`note_on_access_log`) is added to the description.
    """
    user_id = None
    ip_address = None
    user_agent = ""
    note = None
    if has_request_context():
        if current_user and current_user.is_authenticated:
            user_id = current_user.id
        note = g.get(REQUEST_NOTE_KEY)  # read after the user is loaded: loading may be what sets it
        ip_address = request.remote_addr
        user_agent = (request.user_agent.string or "")[:USER_AGENT_MAX]
        keep_changes()
    entry = AccessLogEntry(
        user_id=user_id,
        action=action[:40],
        subject_type=subject_type[:40],
        subject_id=subject_id,
        description=_with_note(description, note),
        ip_address=(ip_address or None) and ip_address[:45],
        user_agent=user_agent,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class Subject:
    """Whose data a log entry is about, as the access log shows it."""

    id: int
    name: str


def subject_names(subject_type: str, ids) -> dict[int, str]:
    """The names of these subjects (e.g. customers), as the features that hold them answer."""
    ids = {subject_id for subject_id in ids if is_valid_id(subject_id)}
    names: dict[int, str] = {}
    if ids:
        for _, answer in signals.subject_names.send(subject_type, ids=ids):
            names.update(answer or {})
    return names


def subject_name(subject_type: str, subject_id: int) -> str | None:
    """The name of one subject, or None when this shop has no such subject."""
    return subject_names(subject_type, {subject_id}).get(subject_id)


@dataclass(frozen=True)
class LogFilter:
    """What the owner narrows the log down to; every part is optional.

    `since` and `until` are the first and last local day (the shop's timezone), both included;
    `text` is looked for in the entries' descriptions.
    """

    customer_id: int | None = None
    user_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None
    text: str = ""

    def as_args(self) -> dict:
        """The filter as URL query arguments (for pagination and the export link)."""
        args = {
            "customer_id": self.customer_id,
            "user_id": self.user_id,
            "action": self.action,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "q": self.text,
        }
        return {key: value for key, value in args.items() if value}


def _local_midnight(day: date) -> datetime:
    tenant = active_tenant()
    zone = ZoneInfo(tenant.timezone if tenant is not None else "UTC")
    return datetime.combine(day, time.min, tzinfo=zone)


def access_log(log_filter: LogFilter | None = None) -> Select:
    """Entries newest first, with who did it loaded alongside, narrowed down by `log_filter`."""
    log_filter = log_filter or LogFilter()
    query = (
        select(AccessLogEntry)
        .options(selectinload(AccessLogEntry.user))
        .order_by(AccessLogEntry.created_at.desc(), AccessLogEntry.id.desc())
    )
    if log_filter.customer_id is not None:
        query = query.where(
            AccessLogEntry.subject_type == "customer", AccessLogEntry.subject_id == log_filter.customer_id
        )
    if log_filter.user_id is not None:
        query = query.where(AccessLogEntry.user_id == log_filter.user_id)
    if log_filter.action:
        query = query.where(AccessLogEntry.action == log_filter.action)
    if log_filter.since is not None:
        query = query.where(AccessLogEntry.created_at >= _local_midnight(log_filter.since))
    if log_filter.until is not None:
        query = query.where(AccessLogEntry.created_at < _local_midnight(log_filter.until + timedelta(days=1)))
    if log_filter.text:
        query = query.where(AccessLogEntry.description.icontains(log_filter.text, autoescape=True))
    return query


def customer_names_of(entries) -> dict[int, str]:
    """The names of the customers these entries are about (one answer for the whole list)."""
    ids = {e.subject_id for e in entries if e.subject_type == "customer" and e.subject_id is not None}
    return subject_names("customer", ids)


CSV_COLUMNS = (
    "time (UTC)",
    "staff member",
    "staff e-mail",
    "action",
    "subject type",
    "subject id",
    "subject name",
    "description",
    "IP address",
    "browser",
)


def export_csv(log_filter: LogFilter) -> str:
    """The entries `log_filter` selects, all of them, as CSV; the export itself goes on the log.

    A fixed number of queries: the entries with their staff, then the customers' names.
    """
    entries = db.session.scalars(access_log(log_filter)).all()
    names = customer_names_of(entries)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(
            (
                entry.created_at.astimezone(UTC).isoformat(timespec="seconds"),
                entry.user.name if entry.user else "",
                entry.user.email if entry.user else "",
                ACTIONS.get(entry.action, entry.action),
                entry.subject_type,
                entry.subject_id if entry.subject_id is not None else "",
                names.get(entry.subject_id, "") if entry.subject_type == "customer" else "",
                _csv_safe(entry.description),
                entry.ip_address or "",
                _csv_safe(entry.user_agent),
            )
        )
    described = ", ".join(f"{key} {value}" for key, value in log_filter.as_args().items()) or "everything"
    log_access("export", "access_log", None, f"Exported the access log as CSV ({len(entries)} entries; {described})")
    return out.getvalue()


def _csv_safe(value: str | None) -> str:
    """Text a spreadsheet shows as text, never runs as a formula (=, +, -, @ at the start)."""
    value = value or ""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def access_log_of_customer(customer_id: int) -> list[dict]:
    """Every access to one customer's data in the current shop, oldest first, as JSON-ready rows.

    For the person's own copy of their data (a privacy request): when, what, which staff member
    (by name) and the entry's description. The staff member's IP address and browser are theirs,
    not the customer's, and are left out.
    """
    entries = db.session.scalars(
        select(AccessLogEntry)
        .options(selectinload(AccessLogEntry.user))
        .where(AccessLogEntry.subject_type == "customer", AccessLogEntry.subject_id == customer_id)
        .order_by(AccessLogEntry.created_at, AccessLogEntry.id)
    ).all()
    return [
        {
            "at": entry.created_at.astimezone(UTC).isoformat(),
            "action": entry.action,
            "action_label": ACTIONS.get(entry.action, entry.action),
            "by": entry.user.name if entry.user else None,
            "description": entry.description,
        }
        for entry in entries
    ]
