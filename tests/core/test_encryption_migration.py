"""The migration that encrypts the sensitive columns rewrites existing rows of every shop in place (in
batches, past row-level security, which it leaves on), and its downgrade gives the plain text back."""

from __future__ import annotations

from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from saas import create_app
from saas.core.embedded_db import drop_database, ensure_database
from saas.core.extensions import db

DATABASE = "workbay_encryption_check"
BEFORE = "d4e5f6a7b8c9"  # the revision before the encryption
KEY = Fernet.generate_key().decode()
CUSTOMERS_PER_SHOP = 520  # two shops: more than one batch of the migration's 1000 rows
# A filler for each type of a NOT NULL column without a default (the test sets the columns it cares about).
FILLERS = {
    "bigint": "1",
    "integer": "1",
    "smallint": "1",
    "numeric": "0",
    "boolean": "false",
    "text": "'x'",
    "character varying": "'x'",
    "timestamp with time zone": "now()",
    "date": "current_date",
    "time without time zone": "'09:00'",
    "jsonb": "'[]'",
    "ARRAY": "'{}'",
}


def insert(conn, table: str, **values) -> None:
    """Insert one row with `values` (SQL expressions), filling whatever else must not be NULL."""
    required = conn.execute(
        text(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' "
            "AND table_name = :t AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'"
        ),
        {"t": table},
    ).all()
    columns = {name: FILLERS[kind] for name, kind in required} | values
    conn.execute(text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(columns.values())})"))


def plain_rows(conn) -> None:
    """Two shops, each with many customers and one row with a note in every other encrypted table."""
    for shop in (1, 2):
        insert(conn, "tenants", id=str(shop), name=f"'Shop {shop}'", subdomain=f"'shop{shop}'", country="'US'")
        conn.execute(
            text(
                "INSERT INTO customers (tenant_id, id, name, notes) "
                "SELECT :shop, n, 'Customer ' || n, 'Note ' || :shop || '-' || n FROM generate_series(1, :count) n"
            ),
            {"shop": shop, "count": CUSTOMERS_PER_SHOP},
        )
        conn.execute(
            text("INSERT INTO customers (tenant_id, id, name, notes) VALUES (:shop, 9999, 'Empty', '')"), {"shop": shop}
        )
        row = {"tenant_id": str(shop), "id": "1"}
        insert(conn, "assets", **row, customer_id="1", notes=f"'Asset note {shop}'")
        insert(conn, "work_orders", **row, customer_id="1", number="1", internal_notes=f"'Internal {shop}'")
        insert(
            conn, "appointments", **row, customer_id="1", starts_at="now()", ends_at="now() + interval '1 hour'",
            notes=f"'Appointment {shop}'",
        )  # fmt: skip
        insert(
            conn, "privacy_requests", **row, details=f"'Details {shop}'", extension_reason=f"'Extension {shop}'",
            resolution="NULL",
        )  # fmt: skip
        insert(conn, "privacy_request_events", **row, request_id="1", detail=f"'Event {shop}'")
        insert(conn, "legal_holds", **row, customer_id="1", reason=f"'Hold {shop}'")


COLUMNS = {
    "customers": ("notes",),
    "assets": ("notes",),
    "work_orders": ("internal_notes",),
    "appointments": ("notes",),
    "privacy_requests": ("details", "extension_reason", "resolution"),
    "privacy_request_events": ("detail",),
    "legal_holds": ("reason",),
}


def stored(conn) -> dict[str, list]:
    """Every value of the encrypted columns, in a stable order."""
    return {
        f"{table}.{column}": list(conn.scalars(text(f"SELECT {column} FROM {table} ORDER BY tenant_id, id")))
        for table, columns in COLUMNS.items()
        for column in columns
    }


def test_the_migration_encrypts_existing_rows_of_every_shop_and_the_downgrade_decrypts_them(server_url):
    drop_database(server_url, DATABASE)
    urls = ensure_database(server_url, DATABASE)
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": urls.owner,
            "MIGRATIONS_DATABASE_URL": urls.owner,
            "FIELD_ENCRYPTION_KEYS": KEY,
        }
    )
    superuser = create_engine(urls.admin)
    try:
        with app.app_context():
            upgrade(revision=BEFORE)
            with superuser.begin() as conn:
                plain_rows(conn)
                plain = stored(conn)

            upgrade()

            with superuser.connect() as conn:
                encrypted = stored(conn)
                security = conn.execute(
                    text(
                        "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(:names)"
                    ),
                    {"names": list(COLUMNS)},
                ).all()
            fernet = Fernet(KEY.encode())
            for column, values in plain.items():
                for before, after in zip(values, encrypted[column], strict=True):
                    if before in ("", None):
                        assert after == before, column  # empty and NULL stay as they were
                    else:
                        assert after != before and fernet.decrypt(after.encode()).decode() == before, column
            assert len(plain["customers.notes"]) == 2 * (CUSTOMERS_PER_SHOP + 1)
            assert sorted(security) == sorted((table, True, True) for table in COLUMNS)  # RLS on and forced again

            downgrade(revision=BEFORE)

            with superuser.connect() as conn:
                assert stored(conn) == plain
            db.engine.dispose()
    finally:
        superuser.dispose()
        drop_database(server_url, DATABASE)
