"""The shop's record of processing activities (GDPR Art. 30(1)), generated, never written by hand.

Who the controller is comes from the shop's profile; what it does with personal data and why from
the declarations of saas.privacy.inventory; how much it holds from its own tables (one query
counts them all); who else handles it from saas.privacy.processors; the security measures are
the ones the product itself takes. Downloadable as JSON and CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field

from flask import current_app
from sqlalchemy import func, select

from saas.core.db import Base, utcnow
from saas.core.extensions import db
from saas.core.processors import Processor
from saas.core.tenancy import active_tenant
from saas.privacy import inventory
from saas.privacy.processors import WORKBAY, serves, shop_processors
from saas.privacy.shop_policy import activity_rows, country_name, shop_address

FORMAT = "workbay.record-of-processing"
VERSION = 1


@dataclass(frozen=True)
class HeldData:
    """One table's share of an activity, with how many rows the shop holds (None: not counted)."""

    label: str
    categories: list[str]
    records: int | None


@dataclass(frozen=True)
class ActivityRecord:
    """Art. 30(1)(b)-(f) for one activity: purpose, subjects, data, recipients, transfers, retention."""

    key: str
    name: str
    purpose: str
    legal_basis: str
    subjects: list[str]
    categories: list[str]
    held: list[HeldData]
    recipients: list[str]
    transfers: list[str]
    retention: str


@dataclass(frozen=True)
class Record:
    """The whole record: the controller, its processor, the activities, the measures."""

    controller: dict
    processor: dict
    activities: list[ActivityRecord]
    processors: list[dict]
    security_measures: list[str]
    generated_at: str
    format: str = FORMAT
    version: int = VERSION
    notes: list[str] = field(default_factory=list)


def holding_counts() -> dict[str, int]:
    """{holding key: rows the current shop holds}, for every counted holding, in one query."""
    tables = Base.metadata.tables
    tenant_id = active_tenant().id
    columns = []
    counted = [holding for holding in inventory.HOLDINGS if holding.counted]
    for holding in counted:
        table = tables[holding.table]
        conditions = [table.c.tenant_id == tenant_id]
        if holding.only_where:
            conditions.append(table.c[holding.only_where].is_(True))
        columns.append(select(func.count()).select_from(table).where(*conditions).scalar_subquery())
    values = db.session.execute(select(*columns)).one()
    return {holding.key: int(value) for holding, value in zip(counted, values, strict=True)}


def security_measures() -> list[str]:
    """What Workbay itself does to protect the shop's data (Art. 30(1)(g), Art. 32)."""
    config = current_app.config
    measures = [
        "Each shop's data is kept apart three times: composite keys in the schema, every query limited to "
        "the shop, and PostgreSQL row-level security underneath",
        "Staff see what their role allows; ID documents only office staff; the access log only the owner",
        "Every opening and export of a customer's record is logged with who, when and from where",
        "Passwords are stored only as salted hashes; logins and public forms are rate-limited",
        "Forms are protected against cross-site request forgery",
        "Links e-mailed to customers are signed and expire",
        "Uploaded files are stored under random names and only ever downloaded as attachments",
    ]
    if config.get("STORAGE_BACKEND") == "s3" and config.get("S3_SSE"):
        measures.append(f"Documents are encrypted at rest in storage ({config['S3_SSE']})")
    if config.get("SESSION_COOKIE_SECURE"):
        measures.append("Session cookies travel over HTTPS only")
    return measures


def _processor_row(processor: Processor) -> dict:
    return {
        "name": processor.name,
        "purpose": processor.purpose,
        "location": processor.location,
        "data": processor.data,
        "safeguards": processor.safeguards,
    }


def build_record() -> Record:
    """The current shop's record, now (a fixed number of queries, whatever it holds)."""
    shop = active_tenant()
    counts = holding_counts()
    processors = shop_processors(shop)
    activities = []
    for row in activity_rows():
        serving = [processor for processor in processors if serves(processor, row["key"])]
        activities.append(
            ActivityRecord(
                key=row["key"],
                name=row["name"],
                purpose=row["purpose"],
                legal_basis=row["legal_basis"],
                subjects=row["subjects"],
                categories=row["categories"],
                held=[
                    HeldData(holding.label, list(holding.categories), counts.get(holding.key))
                    for holding in inventory.holdings_of(row["key"])
                ],
                recipients=[WORKBAY.name, *(processor.name for processor in serving)],
                transfers=[f"{p.name}: {p.location}" for p in serving if p.location],
                retention=row["retention"],
            )
        )
    return Record(
        controller={
            "name": shop.name,
            "address": shop.address,
            "email": shop.email,
            "phone": shop.phone,
            "country": country_name(shop.country),
            "website": shop_address(shop),
        },
        processor={"name": WORKBAY.name, "role": WORKBAY.purpose, "safeguards": WORKBAY.safeguards},
        activities=activities,
        processors=[_processor_row(processor) for processor in processors],
        security_measures=security_measures(),
        generated_at=utcnow().isoformat(),
        notes=[f"Not in this record: {table} ({reason})" for table, reason in inventory.OUTSIDE_THE_RECORD.items()],
    )


def record_json(record: Record) -> dict:
    """The record as a JSON-ready dict."""
    return asdict(record)


CSV_COLUMNS = (
    "activity",
    "purpose",
    "legal basis",
    "data subjects",
    "data held",
    "categories of data",
    "records held",
    "recipients",
    "transfers",
    "retention",
)


def record_csv(record: Record) -> str:
    """The record as CSV: one row per table's share of an activity."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in record.activities:
        for held in item.held or [HeldData("", item.categories, None)]:
            writer.writerow(
                (
                    item.name,
                    item.purpose,
                    item.legal_basis,
                    "; ".join(item.subjects),
                    held.label,
                    "; ".join(held.categories),
                    "" if held.records is None else held.records,
                    "; ".join(item.recipients),
                    "; ".join(item.transfers),
                    item.retention,
                )
            )
    return out.getvalue()
