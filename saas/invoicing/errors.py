"""What the invoicing rules refuse: `ServiceError` subclasses with their status."""

from __future__ import annotations

from saas.core.errors import ServiceError


class InvoicingError(ServiceError):
    """A request the invoicing rules refuse; the message is safe to show."""


class InvoiceConflictError(InvoicingError):
    """The document is not in a state that allows this (already invoiced, void, paid...)."""

    status = 409


class ImmutableInvoiceError(InvoiceConflictError):
    """Something tried to change an issued invoice, its lines or its payments."""
