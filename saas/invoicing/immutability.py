"""Issued documents never change: a session hook refuses any other change, whoever tries.

What may change on an issued invoice is what happens *to* it: payments add to `amount_paid`,
a void marks it void (number kept). Its number, bill-to, lines and totals stay a snapshot;
lines and payments are never changed, and nothing is ever deleted. Registered on every
SQLAlchemy session when this module is imported (`saas.create_app` -> `register_listeners`).
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from saas.invoicing.errors import ImmutableInvoiceError
from saas.invoicing.models import Invoice, InvoiceLine, InvoiceStatus, Payment

# What may change on an issued invoice: its payments total and the void marking.
MUTABLE_INVOICE_COLUMNS = frozenset({"amount_paid", "status", "voided_at", "void_reason"})


def _changed_columns(obj) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}


@event.listens_for(Session, "before_flush")
def refuse_changes_to_issued_documents(session, flush_context, instances) -> None:
    """before_flush: raise `ImmutableInvoiceError` for a deleted or changed invoice, line or payment."""
    for obj in session.deleted:
        if isinstance(obj, (Invoice, InvoiceLine, Payment)):
            raise ImmutableInvoiceError("Issued invoices, their lines and payments are never deleted.")
    for obj in session.dirty:
        if isinstance(obj, Invoice):
            changed = _changed_columns(obj)
            if changed - MUTABLE_INVOICE_COLUMNS:
                raise ImmutableInvoiceError(
                    f"An issued {obj.document_title.lower()} cannot be changed "
                    f"({', '.join(sorted(changed - MUTABLE_INVOICE_COLUMNS))}). Void it or issue a credit note."
                )
            status = inspect(obj).attrs["status"].history
            was = status.deleted[0] if status.deleted else obj.status
            if changed and was == InvoiceStatus.VOID:
                raise ImmutableInvoiceError(f"{obj.document_number} is void and stays as it is.")
        elif isinstance(obj, (InvoiceLine, Payment)) and _changed_columns(obj):
            raise ImmutableInvoiceError("Lines and payments of an issued invoice cannot be changed.")
