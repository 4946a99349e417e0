"""Reading a shop's consent records: a page of them, the count of each choice, a CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from saas.consent.categories import describe
from saas.consent.models import CookieConsent
from saas.core.extensions import db

CSV_COLUMNS = ("given_at", "consent_id", "categories", "choice", "policy_version", "source", "ip_hash", "user_agent")
# A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ChoiceCount:
    """How many records allowed exactly these categories."""

    label: str
    count: int


def newest_first() -> Select:
    """The shop's consent records, newest first."""
    return select(CookieConsent).order_by(CookieConsent.given_at.desc(), CookieConsent.id.desc())


def choice_counts() -> list[ChoiceCount]:
    """The number of records of each choice, most frequent first (one query)."""
    rows = db.session.execute(select(CookieConsent.categories, func.count()).group_by(CookieConsent.categories)).all()
    counts = [ChoiceCount(describe(categories), count) for categories, count in rows]
    return sorted(counts, key=lambda item: (-item.count, item.label))


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def records_csv() -> str:
    """Every record of the shop as CSV (a header line first), oldest first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    query = select(CookieConsent).order_by(CookieConsent.given_at, CookieConsent.id)
    for record in db.session.scalars(query):
        writer.writerow(
            [
                record.given_at.isoformat(),
                record.consent_id,
                " ".join(record.categories),
                describe(record.categories),
                _cell(record.policy_version),
                record.source,
                record.ip_hash,
                _cell(record.user_agent),
            ]
        )
    return buffer.getvalue()
