"""Rules for customers and their assets."""

from __future__ import annotations

from sqlalchemy import Select, func, or_, select

from saas.customers.models import Customer
from saas.extensions import db


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
