"""Erasure: a person's data erased everywhere except what the law keeps, and a ledger of it.

`erase(customer, ...)` asks every feature to erase its rows of the customer
(`customers.services.erase_customer`, which sends `customers.signals.erasing`), records what went
and what stayed (and why) in an `ErasureRecord`, and writes the same entry to the shop's erasure
ledger in storage (`tenants/<id>/erasure_ledger/...`). The ledger lives outside the database on
purpose: after a database backup is restored, `flask privacy replay-erasures` reads it and erases
again whoever the restore brought back.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.db import Base, TenantScoped, tenant_fk, utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.storage import build_key, get_storage, put_with_transaction
from saas.core.tenancy import active_tenant_id
from saas.customers.models import Customer
from saas.customers.services import erase_customer
from saas.privacy import holds

log = logging.getLogger(__name__)

LEDGER_KIND = "erasure_ledger"


class ErasureRecord(TenantScoped, Base):
    """One erasure: whose, when, by whom, on which request, and the notes of what went and what stayed."""

    __tablename__ = "erasure_records"
    __table_args__ = (
        tenant_fk("customer_id", "customers"),
        Index("ix_erasure_records_tenant_id_customer_id", "tenant_id", "customer_id"),
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    erased_by_id: Mapped[int | None] = mapped_column(BigInteger)  # the staff member; None for a job
    request_id: Mapped[int | None] = mapped_column(BigInteger)  # the privacy request it answered, if any
    notes: Mapped[list] = mapped_column(JSONB)  # [{"area", "erased", "kept"}], as told to the person
    ledger_key: Mapped[str] = mapped_column(String(120))


def erase(
    customer: Customer, *, user=None, request_id: int | None = None, ledger_key: str | None = None
) -> ErasureRecord:
    """Erase `customer`'s personal data (refused if already erased); returns the record of it.

    Refused while a legal hold keeps the customer's data. The ledger entry is written with the
    transaction: a rolled-back erasure leaves none behind. `ledger_key` rewrites an existing entry
    (a replay) instead of adding one.
    """
    hold = holds.hold_of(customer.id)
    if hold is not None and ledger_key is None:
        raise ServiceError(
            f"{customer.name}'s data is on legal hold ({hold.reason}); release the hold first.", status=409
        )
    notes = [{"area": note.area, "erased": note.erased, "kept": note.kept} for note in erase_customer(customer)]
    record = ErasureRecord(
        customer_id=customer.id,
        erased_by_id=user.id if user is not None else None,
        request_id=request_id,
        notes=notes,
        ledger_key=ledger_key or build_key(active_tenant_id(), LEDGER_KIND),
    )
    db.session.add(record)
    db.session.flush()
    _write_ledger_entry(record)
    return record


def _write_ledger_entry(record: ErasureRecord) -> None:
    """The ledger entry in storage: enough to erase the person again after a restore, nothing personal."""
    entry = {"customer_id": record.customer_id, "erased_at": record.erased_at.isoformat(), "record_id": record.id}
    put_with_transaction(record.ledger_key, json.dumps(entry).encode(), "application/json")


def erasures_of(customer_id: int) -> list[ErasureRecord]:
    """The erasures of one customer (normally one), newest first."""
    return list(
        db.session.scalars(
            select(ErasureRecord)
            .where(ErasureRecord.customer_id == customer_id)
            .order_by(ErasureRecord.erased_at.desc(), ErasureRecord.id.desc())
        )
    )


def replay_ledger() -> list[int]:
    """Erase again every customer of the current shop whom the ledger lists but the database has back
    (a restored backup); returns their ids. Customers the ledger lists that no longer exist are skipped."""
    storage = get_storage()
    listed = {
        json.loads(storage.read(key))["customer_id"]: key for key in storage.keys(active_tenant_id(), LEDGER_KIND)
    }
    if not listed:
        return []
    restored = db.session.scalars(
        select(Customer).where(Customer.id.in_(listed), Customer.anonymized_at.is_(None)).order_by(Customer.id)
    ).all()
    for customer in restored:
        log.warning("erasure ledger: customer %s came back (a restored backup?); erasing again", customer.id)
        erase(customer, ledger_key=listed[customer.id])
    return [customer.id for customer in restored]
