"""Helpers of the auth tests (plain functions; the fixtures are in conftest.py and tests/fixtures)."""

from __future__ import annotations

from sqlalchemy import select

from saas.auth.models import Invitation
from tests.fixtures.database import shop_session


def invitations_of(app, tenant_id: int) -> list[Invitation]:
    """Every invitation of the shop, oldest first."""
    with shop_session(app, tenant_id) as session:
        return list(session.scalars(select(Invitation).order_by(Invitation.id)))
