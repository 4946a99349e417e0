"""Whole-shop exports in tests: running the queued jobs, reading the export rows and the archive."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from saas.core.extensions import db
from saas.core.tasks.worker import run_worker
from saas.core.tenancy import tenant_scope
from saas.shopdata.models import ShopExport


def run_jobs(app) -> None:
    """Let a real worker do what is queued, then return."""
    run_worker(app, wait=False, periodic=False, listen_notify=False)


def exports_of(app, tenant_id: int) -> list[ShopExport]:
    """The shop's exports, newest first (detached rows)."""
    with app.test_request_context(), tenant_scope(tenant_id):
        rows = list(db.session.scalars(select(ShopExport).order_by(ShopExport.id.desc())))
        for row in rows:
            db.session.expunge(row)
        return rows


def latest_export(app, tenant_id: int) -> ShopExport:
    """The shop's newest export."""
    return exports_of(app, tenant_id)[0]


class Archive:
    """A downloaded whole-shop ZIP."""

    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.names = set(self.zip.namelist())

    def text(self, name: str) -> str:
        return self.zip.read(name).decode("utf-8")

    def rows(self, table: str) -> list[dict]:
        """tables/<table>.json."""
        return json.loads(self.zip.read(f"tables/{table}.json"))

    def everything(self) -> bytes:
        return b"".join(self.zip.read(name) for name in sorted(self.names))
