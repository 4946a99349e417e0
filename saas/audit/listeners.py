"""What the access log hears from the features below it: refused staff logins."""

from __future__ import annotations

from flask import has_request_context, request

from saas.audit.models import AccessLogEntry
from saas.audit.services import DESCRIPTION_MAX, USER_AGENT_MAX
from saas.auth.signals import login_failed
from saas.core.extensions import db
from saas.core.requests import keep_changes

LOGIN_FAILED = "login_failed"


@login_failed.connect
def _log_failed_login(tenant_id, user_id=None, email="", reason="", **details) -> None:
    """One entry per refused login, with the address and browser it came from; kept although the
    login answers 401 or 429. An e-mail that is no account here is recorded without an account."""
    address, browser = (request.remote_addr, request.user_agent.string) if has_request_context() else (None, "")
    db.session.add(
        AccessLogEntry(
            user_id=user_id,
            action=LOGIN_FAILED,
            subject_type="staff",
            subject_id=user_id,
            description=f"Failed login as {email}: {reason}"[:DESCRIPTION_MAX],
            ip_address=address[:45] if address else None,
            user_agent=(browser or "")[:USER_AGENT_MAX],
        )
    )
    db.session.flush()
    if has_request_context():
        keep_changes()
