"""The reports page's invoices and their CSV export, read in pages and batches."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select

from saas.core.extensions import db
from saas.invoicing.models import Invoice
from saas.invoicing.queries import listed
from saas.invoicing.standing import Position
from saas.shop.periods import Period

CSV_HEADER = ("Number", "Date", "Customer", "Subtotal", "Tax", "Total", "Paid", "Status")
CSV_BATCH = 500


def invoices_in(period: Period) -> Select:
    """Invoices and credit notes issued in `period` (void ones too), oldest first."""
    return (
        select(Invoice).where(period.holds(Invoice.issued_at)).order_by(Invoice.issued_at, Invoice.kind, Invoice.number)
    )


@dataclass(frozen=True)
class ReportRow:
    """One document in the report: what it says and where it stands."""

    invoice: Invoice
    issued_on: date
    position: Position

    @property
    def number(self) -> str:
        return self.invoice.document_number

    @property
    def status(self) -> str:
        return self.position.label


def report_rows(invoices: list[Invoice], zone: ZoneInfo, now: datetime | None = None) -> list[ReportRow]:
    """Rows for `invoices` with their standing (one query for all their credit notes)."""
    return [
        ReportRow(row.invoice, row.invoice.issued_at.astimezone(zone).date(), row.position)
        for row in listed(invoices, now)
    ]


def _cell(text: str) -> str:
    """Text as a spreadsheet will not run it as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def invoices_csv(period: Period, now: datetime | None = None) -> Iterator[str]:
    """The period's invoices as CSV text, header first, read from the database in batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_HEADER)
    yield flush()
    offset = 0
    while True:
        batch = list(db.session.scalars(invoices_in(period).offset(offset).limit(CSV_BATCH)))
        for row in report_rows(batch, period.zone, now):
            invoice = row.invoice
            writer.writerow(
                (
                    row.number,
                    row.issued_on.isoformat(),
                    _cell(invoice.bill_to_name),
                    invoice.subtotal,
                    invoice.tax_total,
                    invoice.total,
                    invoice.amount_paid,
                    row.status,
                )
            )
        yield flush()
        if len(batch) < CSV_BATCH:
            return
        offset += CSV_BATCH
