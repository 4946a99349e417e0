"""Gapless per-shop numbering (work orders 1001, 1002, ...; invoices; credit notes).

The counter row is locked (`SELECT ... FOR UPDATE`) for the rest of the transaction, so
two requests can never take the same number, and a rolled-back transaction gives its
number back: no gaps, no duplicates.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, UniqueConstraint, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.db import Base, TenantScoped
from saas.core.extensions import db
from saas.core.tenancy import active_tenant_id

FIRST_NUMBERS = {"work_order": 1001, "invoice": 1, "credit_note": 1}


class NumberSequence(TenantScoped, Base):
    """The next free number of one series in one shop."""

    __tablename__ = "number_sequences"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(30))
    next_value: Mapped[int] = mapped_column(BigInteger)


def next_number(name: str) -> int:
    """Take the next number of series `name` in the current shop (locks the series until commit)."""
    db.session.execute(
        insert(NumberSequence)
        .values(tenant_id=active_tenant_id(), name=name, next_value=FIRST_NUMBERS.get(name, 1))
        .on_conflict_do_nothing(index_elements=["tenant_id", "name"])
    )
    sequence = db.session.scalar(
        select(NumberSequence)
        .where(NumberSequence.name == name)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    number = sequence.next_value
    sequence.next_value = number + 1
    db.session.flush()
    return number
