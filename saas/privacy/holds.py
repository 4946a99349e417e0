"""Legal holds: everything about a customer is kept (a dispute, an insurance claim, a court order).

While a hold is in force, retention runs skip the customer and their data cannot be erased
(the right to erasure gives way to keeping what a legal claim needs).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, select
from sqlalchemy.orm import Mapped, mapped_column, selectinload

from saas.core.crypto import EncryptedString
from saas.core.db import Base, TenantScoped, belongs_to, tenant_fk, utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.customers.models import Customer


class HoldError(ServiceError):
    """A hold that cannot be placed or released; the message is safe to show."""


class LegalHold(TenantScoped, Base):
    """Keep everything about a customer (a dispute, an insurance claim, a court order) until released."""

    __tablename__ = "legal_holds"
    __table_args__ = (
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        Index("ix_legal_holds_tenant_id_customer_id", "tenant_id", "customer_id"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(EncryptedString(secret=False))  # encrypted at rest
    placed_by_id: Mapped[int | None] = mapped_column(BigInteger)
    placed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    released_by_id: Mapped[int | None] = mapped_column(BigInteger)

    customer = belongs_to("Customer", "LegalHold", "customer_id")


def place_hold(customer: Customer, reason: str, user=None) -> LegalHold:
    """Keep everything about a customer until the hold is released (retention skips them)."""
    reason = (reason or "").strip()
    if not reason:
        raise HoldError("Say why the data must be kept (e.g. an insurance claim).", field="reason")
    if held_customer_ids({customer.id}):
        raise HoldError(f"{customer.name} is already on hold.", status=409)
    hold = LegalHold(customer_id=customer.id, reason=reason[:2000], placed_by_id=user.id if user else None)
    db.session.add(hold)
    db.session.flush()
    return hold


def release_hold(hold: LegalHold, user=None) -> None:
    """End a hold: the customer's data follows the retention periods again."""
    if hold.released_at is not None:
        raise HoldError("This hold was already released.", status=409)
    hold.released_at, hold.released_by_id = utcnow(), user.id if user else None
    db.session.flush()


def open_holds() -> list[LegalHold]:
    """The holds in force, newest first, with their customer."""
    return list(
        db.session.scalars(
            select(LegalHold)
            .options(selectinload(LegalHold.customer))
            .where(LegalHold.released_at.is_(None))
            .order_by(LegalHold.placed_at.desc(), LegalHold.id.desc())
        )
    )


def hold_of(customer_id: int) -> LegalHold | None:
    """The hold in force on a customer, if any."""
    return db.session.scalar(
        select(LegalHold).where(LegalHold.customer_id == customer_id, LegalHold.released_at.is_(None)).limit(1)
    )


def held_customer_ids(among: set[int] | None = None) -> set[int]:
    """Ids of customers under a hold in force (among `among` when given)."""
    query = select(LegalHold.customer_id).where(LegalHold.released_at.is_(None))
    if among is not None:
        query = query.where(LegalHold.customer_id.in_(among))
    return set(db.session.scalars(query))
