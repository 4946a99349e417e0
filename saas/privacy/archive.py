"""The archive of a data export: JSON for machines, CSV for spreadsheets, the person's files, a README.

Layout of the ZIP:

    README.txt                       what is in here, in plain words
    data.json                        every customer record of the person, as the features exported it
    customer-<id>/<section>.csv      one spreadsheet per section (nested values as JSON in their cell)
    customer-<id>/documents/...      the files: documents and photos kept about them
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from saas.core.db import utcnow
from saas.customers.signals import ExportedFile

README = """Your data from {shop}
{rule}

This archive holds everything {shop} keeps about you, made on {date} (UTC).

- data.json: all of it in one machine-readable file (JSON), one entry per customer record of yours.
- customer-<number>/*.csv: the same, one spreadsheet per kind of record (customer, vehicles and
  devices, appointments, work orders, invoices, payments, documents...).
- customer-<number>/documents/: the files the shop keeps about you (photos, scans).

Amounts are exact decimals written as text; times are in UTC (ISO 8601).
If something is missing or wrong, reply to the shop: you have the right to have it corrected.
"""


@dataclass(frozen=True)
class Subject:
    """One customer record to archive: its exported data (`customer_export`) and its files."""

    data: dict
    files: list[ExportedFile]


def _cell(value) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def section_csv(rows: list[dict]) -> str:
    """Rows as CSV: one column per key seen (in first-seen order), nested values as JSON."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def build_archive(shop_name: str, subjects: list[Subject], report: Callable[[int, int], None]) -> bytes:
    """The ZIP's bytes; `report(done, total)` is called as the work advances (files are the slow part)."""
    total = len(subjects) + sum(len(subject.files) for subject in subjects)
    done = 0
    buffer = io.BytesIO()
    made = utcnow()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        title = f"Your data from {shop_name}"
        archive.writestr(
            "README.txt", README.format(shop=shop_name, rule="=" * len(title), date=f"{made:%Y-%m-%d %H:%M}")
        )
        document = {"exported_at": made.isoformat(), "shop": shop_name, "customers": [s.data for s in subjects]}
        archive.writestr("data.json", json.dumps(document, indent=2, ensure_ascii=False))
        for subject in subjects:
            folder = f"customer-{subject.data['customer']['id']}"
            archive.writestr(f"{folder}/customer.csv", section_csv([subject.data["customer"]]))
            for name, rows in subject.data.items():
                if isinstance(rows, list):
                    archive.writestr(f"{folder}/{name}.csv", section_csv(rows))
            done += 1
            report(done, total)
            for file in subject.files:
                archive.writestr(f"{folder}/{file.path}", file.read())
                done += 1
                report(done, total)
    return buffer.getvalue()
