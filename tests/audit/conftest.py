"""An owner logged in at shop acme, and a way to read the shop's access log rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.audit.models import AccessLogEntry
from saas.audit.services import log_access
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope


@pytest.fixture
def entries(app):
    """`entries(tenant_id)`: the shop's access log as dicts, oldest first."""

    def read(tenant_id: int) -> list[dict]:
        with app.test_request_context(), tenant_scope(tenant_id):
            return [
                {
                    "action": e.action,
                    "subject_type": e.subject_type,
                    "subject_id": e.subject_id,
                    "user_id": e.user_id,
                    "ip_address": e.ip_address,
                    "user_agent": e.user_agent,
                    "description": e.description,
                }
                for e in db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id))
            ]

    return read


@pytest.fixture
def write_entries(app):
    """`write_entries(tenant_id, count, subject_id=..., action=..., user_id=...)`: log rows written directly."""

    def write(
        tenant_id: int, count: int, subject_id: int | None = None, action: str = "view", user_id: int | None = None
    ) -> None:
        with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.1"}), tenant_scope(tenant_id):
            for _ in range(count):
                log_access(action, "customer", subject_id, "seeded").user_id = user_id
            db.session.commit()

    return write
