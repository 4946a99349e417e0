"""The ZIP of a whole shop, written as it goes to a file (never the whole shop in memory).

Layout of the archive:

    README.txt                 what is in here, what was left out and why
    shop.json                  the shop itself (its row of `tenants`)
    tables/<table>.json        every row of the shop in that table, a JSON array
    tables/<table>.csv         the same rows as a spreadsheet
    files/<kind>/<name>        every stored file (documents, photos...), named as in storage

Which tables, and which of their columns, is decided here once for all: every table of the
metadata with a `tenant_id` column is the shop's, and every column is exported except secrets
(`is_secret`). A new feature's table joins the export by existing.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import IO, Any
from uuid import UUID

from sqlalchemy import Column, Table

from saas.core.crypto import EncryptedString
from saas.core.extensions import db

# Hashes of passwords, tokens and codes, signing digests, anything called a secret: never exported.
SECRET_NAME = re.compile(r"(password|token|code|pin)_hash$|digest|secret|api_key")
CSV_SPOOL_BYTES = 1024 * 1024  # a table's CSV stays in memory up to this size, then goes to a file

README = """All the data of {shop}
{rule}

This archive holds everything Workbay keeps for {shop}, made on {date} (UTC).

- shop.json: the shop itself (name, address, tax rates, plan status...).
- tables/<name>.json: every record of the shop in one table, in a machine-readable file (JSON).
- tables/<name>.csv: the same records as a spreadsheet, one row each (nested values as JSON).
- files/<kind>/<name>: every file stored for the shop (documents, photos...). A record that points at
  a file names it in its `storage_key` column: tenants/<shop>/<kind>/<name> is files/<kind>/<name> here.

Amounts are exact decimals written as text; times are in UTC (ISO 8601).

Records, table by table:
{tables}

Files: {files}.

Left out on purpose:
- secrets, which would let someone log in or forge a link, and which nobody can read back anyway:
{secrets}
- earlier exports (ZIP archives like this one), so that an export does not contain the previous ones.
{missing}"""


def shop_tables() -> list[Table]:
    """Every table that holds a shop's data (it has a `tenant_id`), parents before children."""
    return [table for table in db.metadata.sorted_tables if "tenant_id" in table.c]


def is_secret(column: Column) -> bool:
    """True for a column that is never exported: a hash of a password, token or code, a secret, an encrypted
    secret. Encrypted personal data (`EncryptedString(secret=False)`, e.g. notes) is the shop's and is exported."""
    return bool(SECRET_NAME.search(column.name)) or (isinstance(column.type, EncryptedString) and column.type.secret)


def exported_columns(table: Table) -> list[Column]:
    """The columns of `table` that go into the export (all but secrets)."""
    return [column for column in table.c if not is_secret(column)]


def json_safe(value: Any) -> Any:
    """A value as JSON can hold it: decimals as text, times in UTC (ISO 8601), nested values kept."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return json_safe(value.value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(item) for item in value]
    return value


def _cell(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class ArchiveSummary:
    """What went into the archive, for its README."""

    tables: dict[str, int] = field(default_factory=dict)  # table -> rows
    files: int = 0
    missing_files: list[str] = field(default_factory=list)  # listed, but gone before they could be read


class ShopArchive:
    """A ZIP being written to `target` (a file opened for writing bytes), one entry after the other."""

    def __init__(self, target: IO[bytes]):
        self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)
        self.summary = ArchiveSummary()

    def add_shop(self, row: Mapping[str, Any]) -> None:
        """shop.json: the shop's own row."""
        self.zip.writestr("shop.json", json.dumps(json_safe(dict(row)), indent=2, ensure_ascii=False))

    def add_table(self, name: str, columns: list[str], rows: Iterable[Mapping[str, Any]]) -> int:
        """tables/<name>.json and .csv from `rows` (read once, as they come); returns how many rows."""
        count = 0
        with tempfile.SpooledTemporaryFile(max_size=CSV_SPOOL_BYTES) as spool:
            text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
            spreadsheet = csv.writer(text)
            spreadsheet.writerow(columns)
            with self.zip.open(f"tables/{name}.json", "w") as out:
                out.write(b"[")
                for row in rows:
                    values = {column: json_safe(row[column]) for column in columns}
                    out.write((",\n" if count else "\n").encode() + json.dumps(values, ensure_ascii=False).encode())
                    spreadsheet.writerow([_cell(values[column]) for column in columns])
                    count += 1
                out.write(b"\n]\n" if count else b"]\n")
            text.flush()
            text.detach()  # the spool stays open: it is copied into the archive below
            spool.seek(0)
            with self.zip.open(f"tables/{name}.csv", "w") as out:
                shutil.copyfileobj(spool, out)
        self.summary.tables[name] = count
        return count

    def add_file(self, path: str, data: bytes) -> None:
        """A stored file, at `files/...`."""
        self.zip.writestr(path, data)
        self.summary.files += 1

    def note_missing(self, path: str) -> None:
        """A file that was listed but could not be read any more (deleted meanwhile)."""
        self.summary.missing_files.append(path)

    def finish(self, shop_name: str, made: datetime, secrets: dict[str, list[str]]) -> None:
        """Write README.txt (it lists what the archive holds, so it comes last) and close the ZIP."""
        title = f"All the data of {shop_name}"
        tables = "\n".join(f"- {name}: {count}" for name, count in sorted(self.summary.tables.items()))
        left_out = "\n".join(
            f"  - {table}: {', '.join(columns)}" for table, columns in sorted(secrets.items()) if columns
        )
        missing = ""
        if self.summary.missing_files:
            missing = "\nFiles deleted while this archive was made (not included):\n" + "\n".join(
                f"- {path}" for path in self.summary.missing_files
            )
        self.zip.writestr(
            "README.txt",
            README.format(
                shop=shop_name,
                rule="=" * len(title),
                date=f"{made:%Y-%m-%d %H:%M}",
                tables=tables or "- none",
                files=self.summary.files,
                secrets=left_out or "  - none in this shop's tables",
                missing=missing,
            ),
        )
        self.zip.close()


def secret_columns(tables: list[Table]) -> dict[str, list[str]]:
    """{table: [columns left out]} for the README."""
    return {table.name: [column.name for column in table.c if is_secret(column)] for table in tables}
