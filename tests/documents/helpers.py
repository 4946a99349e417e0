"""Test data and files for documents and inspections (shared by tests/documents and tests/inspections)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, text

from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.customers.models import Customer
from saas.customers.services import save_asset

# The smallest headers our sniffing needs, padded so they look like files.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 200 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 100
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40
TEXT = b"just some notes, not a picture\n"
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def stored_files(folder) -> list[str]:
    """Every object in the local storage folder, as keys."""
    root = Path(folder)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def document_rows(owner_engine, tenant_id: int | None = None) -> list[dict]:
    """The documents table as the table owner sees it (RLS is forced, so a superuser-free way: per tenant)."""
    with owner_engine.connect() as conn:
        conn.execute(text("SELECT set_config('workbay.cross_tenant', 'on', true)"))
        query = "SELECT * FROM documents" + (" WHERE tenant_id = :t" if tenant_id else "") + " ORDER BY id"
        return [dict(row) for row in conn.execute(text(query), {"t": tenant_id}).mappings()]


class ShopBuilder:
    """Rows of one shop made through the services, inside the shop's scope."""

    def __init__(self, app):
        self.app = app

    def run(self, tenant_id: int, build):
        with self.app.test_request_context(), tenant_scope(tenant_id):
            result = build()
            db.session.commit()
            return result

    def asset(self, tenant_id: int, customer_id: int) -> int:
        def build():
            customer = db.session.scalar(select(Customer).where(Customer.id == customer_id))
            return save_asset(None, customer, kind="vehicle", make="Toyota", model="Corolla", plate="ABC-123").id

        return self.run(tenant_id, build)

    def work_order(self, tenant_id: int, customer_id: int, asset_id: int | None = None) -> int:
        from saas.workorders.services import create_work_order

        return self.run(
            tenant_id, lambda: create_work_order(customer_id=customer_id, asset_id=asset_id, concern="Noise").id
        )

    def template(self, tenant_id: int, name: str = "Multi-point check", items=("Brake pads", "Tyres", "Lights")):
        from saas.inspections.services import create_template

        return self.run(tenant_id, lambda: create_template(name, "\n".join(items)).id)

    def estimate_token(self, tenant_id: int, work_order_id: int) -> str:
        from saas.workorders.approval import make_estimate_token
        from saas.workorders.models import WorkOrder

        return self.run(
            tenant_id,
            lambda: make_estimate_token(db.session.scalar(select(WorkOrder).where(WorkOrder.id == work_order_id))),
        )


def real_png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A valid PNG a browser can decode (one colour), made without an imaging library."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
