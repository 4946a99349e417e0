"""Dashboard figures."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from saas.auth.models import Invitation, User
from saas.customers.models import Customer
from saas.extensions import db


@dataclass(frozen=True)
class DashboardFigures:
    """What the dashboard shows at a glance."""

    customers: int
    staff: int
    open_invitations: int


def dashboard_figures() -> DashboardFigures:
    """Counts for the current shop, in one query."""
    row = db.session.execute(
        select(
            select(func.count()).select_from(Customer).scalar_subquery(),
            select(func.count()).select_from(User).where(User.is_active_account.is_(True)).scalar_subquery(),
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .scalar_subquery(),
        )
    ).one()
    return DashboardFigures(*row)
