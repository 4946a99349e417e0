"""The access log of personal data: write an entry, read the log."""

from __future__ import annotations

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from saas.audit.models import AccessLogEntry
from saas.core.extensions import db

ACTIONS = {"view": "Viewed", "export": "Exported", "download": "Downloaded"}
USER_AGENT_MAX = 300
DESCRIPTION_MAX = 300


def log_access(action: str, subject_type: str, subject_id: int | None, description: str = "") -> AccessLogEntry:
    """Record that the current staff member `action`-ed a subject's personal data (flushed, not committed).

    Who comes from the logged-in user, where from the request (remote address, browser).
    """
    user_id = None
    ip_address = None
    user_agent = ""
    if has_request_context():
        if current_user and current_user.is_authenticated:
            user_id = current_user.id
        ip_address = request.remote_addr
        user_agent = (request.user_agent.string or "")[:USER_AGENT_MAX]
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
