"""One customer's data as JSON: what the shop holds about them, in a machine-readable form.

This answers a customer's request to see or take their data (access, portability). Customers
contributes the contact record and the vehicles and devices; every feature that holds records
of theirs adds its own sections through `signals.data_exported` (appointments, work orders with
jobs, lines and signed estimate approvals, invoices with lines, payments...), so a new table
joins the export by listening, not by editing this module. The shop's own figures (part costs)
are left out.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from saas.core.db import utcnow
from saas.customers import signals
from saas.customers.models import Customer

FORMAT = "workbay.customer-export"
VERSION = 1


def _value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def row(obj, *columns: str) -> dict:
    """The named columns of `obj` as JSON-ready values (Decimal as text, dates in ISO 8601)."""
    return {column: _value(getattr(obj, column)) for column in columns}


def customer_export(customer: Customer, shop_name: str) -> dict:
    """A JSON-ready dict of everything the shop holds about `customer` (a fixed number of queries)."""
    data = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utcnow().isoformat(),
        "shop": shop_name,
        "customer": row(
            customer,
            "id",
            "name",
            "email",
            "phone",
            "address",
            "notes",
            "preferred_contact",
            "marketing_consent",
            "marketing_consent_at",
            "marketing_consent_source",
            "processing_restricted_at",
            "objected_at",
            "created_at",
            "updated_at",
        ),
        "assets": [
            row(
                asset,
                "id",
                "kind",
                "make",
                "model",
                "year",
                "vin",
                "plate",
                "plate_region",
                "odometer",
                "device_type",
                "serial",
                "notes",
                "created_at",
            )
            for asset in customer.assets
        ],
    }
    for _, sections in signals.data_exported.send(customer):
        data.update(sections or {})
    return data
