"""Rules for customers and the dashboard figures."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select

from saas.auth.models import Invitation, User
from saas.extensions import db
from saas.shop.models import Customer


def customer_search(term: str = "") -> Select:
    """Customers matching `term` in name, e-mail or phone, by name."""
    query = select(Customer).order_by(Customer.name, Customer.id)
    term = term.strip()
    if term:
        pattern = f"%{term.lower()}%"
        query = query.where(
            or_(
                func.lower(Customer.name).like(pattern),
                func.lower(Customer.email).like(pattern),
                Customer.phone.like(f"%{term}%"),
            )
        )
    return query


def save_customer(customer: Customer | None, *, name: str, email: str | None, phone: str | None,
                  notes: str | None) -> Customer:
    """Create a customer or update one; empty strings are stored as no value."""
    if customer is None:
        customer = Customer()
        db.session.add(customer)
    customer.name = name
    customer.email = (email or "").lower() or None
    customer.phone = phone or None
    customer.notes = notes or ""
    db.session.flush()
    return customer


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
