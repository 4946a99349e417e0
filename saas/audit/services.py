"""The access log of personal data: write an entry, read the log."""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from saas.audit import signals
from saas.audit.models import AccessLogEntry
from saas.core.extensions import db
from saas.core.requests import keep_changes
from saas.core.tenancy import is_valid_id

ACTIONS = {"view": "Viewed", "export": "Exported", "download": "Downloaded"}
USER_AGENT_MAX = 300
DESCRIPTION_MAX = 300


def log_access(action: str, subject_type: str, subject_id: int | None, description: str = "") -> AccessLogEntry:
    """Record that the current staff member `action`-ed a subject's personal data (flushed, not committed).

    Who comes from the logged-in user, where from the request (remote address, browser). The entry
    is committed with the request even when it answers an error status: the data was shown.
    """
    user_id = None
    ip_address = None
    user_agent = ""
    if has_request_context():
        if current_user and current_user.is_authenticated:
            user_id = current_user.id
        ip_address = request.remote_addr
        user_agent = (request.user_agent.string or "")[:USER_AGENT_MAX]
        keep_changes()
    entry = AccessLogEntry(
        user_id=user_id,
        action=action[:40],
        subject_type=subject_type[:40],
        subject_id=subject_id,
        description=(description or "")[:DESCRIPTION_MAX],
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


def access_log(
    *,
    subject_type: str | None = None,
    subject_id: int | None = None,
    user_id: int | None = None,
    action: str | None = None,
) -> Select:
    """Entries newest first, with who did it loaded alongside; optionally for one subject, person or action."""
    query = (
        select(AccessLogEntry)
        .options(selectinload(AccessLogEntry.user))
        .order_by(AccessLogEntry.created_at.desc(), AccessLogEntry.id.desc())
    )
    if subject_type is not None:
        query = query.where(AccessLogEntry.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AccessLogEntry.subject_id == subject_id)
    if user_id is not None:
        query = query.where(AccessLogEntry.user_id == user_id)
    if action:
        query = query.where(AccessLogEntry.action == action)
    return query
