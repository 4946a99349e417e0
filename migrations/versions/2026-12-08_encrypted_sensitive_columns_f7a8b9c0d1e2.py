"""Encrypt the private notes about people at rest (their columns become `EncryptedString`)

The columns stay `text`; only their values change: existing values are encrypted in place with the
newest key of FIELD_ENCRYPTION_KEYS (`saas.core.crypto`, the app's configuration is loaded by
env.py), and the downgrade decrypts them again. Empty strings and NULLs stay as they are.

Rows are rewritten in batches with plain SQL, table by table. The tables are under FORCEd row-level
security, which hides every shop's rows from the owner too: each table's security is switched off
for the rewrite and on again inside this migration's transaction (DDL is transactional in
PostgreSQL, and the table stays locked until the commit, so no other session ever sees it off).
This does not rely on the `workbay.cross_tenant` setting, which the migration role may not be
allowed to use.

Revision ID: f7a8b9c0d1e2
Revises: d4e5f6a7b8c9
Create Date: 2026-12-08 12:00:00

"""

import logging
from collections.abc import Callable

import sqlalchemy as sa
from alembic import context, op

from saas.core.crypto import DecryptionError, decrypt, encrypt

revision = "f7a8b9c0d1e2"
down_revision = "d4e5f6a7b8c9"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# Frozen here (not read from the models): the columns this revision encrypts. Every table's
# primary key is (tenant_id, id).
ENCRYPTED = {
    "customers": ("notes",),
    "assets": ("notes",),
    "work_orders": ("internal_notes",),
    "appointments": ("notes",),
    "privacy_requests": ("details", "extension_reason", "resolution"),
    "privacy_request_events": ("detail",),
    "legal_holds": ("reason",),
}
BATCH = 1000


def _readable(value: str) -> bool:
    try:
        decrypt(value)
    except DecryptionError:
        return False
    return True


def _encrypt(value: str) -> str:
    # A value already encrypted (written by the new code before this ran) is left as it is.
    return value if _readable(value) else encrypt(value)


def _rewrite(table: str, columns: tuple[str, ...], change: Callable[[str], str]) -> int:
    """Pass every non-empty value of `table`'s `columns` through `change`, in batches; return how many changed."""
    connection = op.get_bind()
    listed = ", ".join(columns)
    non_empty = " OR ".join(f"coalesce({column}, '') <> ''" for column in columns)
    select = sa.text(
        f"SELECT tenant_id, id, {listed} FROM {table} "
        f"WHERE (tenant_id, id) > (:after_tenant, :after_id) AND ({non_empty}) "
        "ORDER BY tenant_id, id LIMIT :batch"
    )
    assignments = ", ".join(f"{column} = :{column}" for column in columns)
    update = sa.text(f"UPDATE {table} SET {assignments} WHERE tenant_id = :tenant_id AND id = :id")
    changed, after = 0, (0, 0)
    secured = connection.scalar(
        sa.text("SELECT relrowsecurity FROM pg_class WHERE oid = CAST(:t AS regclass)"), {"t": table}
    )
    if secured:
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    while True:
        rows = connection.execute(select, {"after_tenant": after[0], "after_id": after[1], "batch": BATCH}).all()
        if not rows:
            break
        updates = []
        for row in rows:
            values = {"tenant_id": row.tenant_id, "id": row.id}
            for column in columns:
                value = getattr(row, column)
                try:
                    values[column] = value if not value else change(value)
                except DecryptionError as error:
                    raise DecryptionError(f"{table}.{column} of row {row.tenant_id}/{row.id}: {error}") from None
            if any(values[column] != getattr(row, column) for column in columns):
                updates.append(values)
        if updates:
            connection.execute(update, updates)
            changed += len(updates)
        after = (rows[-1].tenant_id, rows[-1].id)
    if secured:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    return changed


def _rewrite_all(change: Callable[[str], str], done: str) -> None:
    if context.is_offline_mode():
        raise RuntimeError("this migration rewrites stored values: run it against the database, not with --sql")
    for table, columns in ENCRYPTED.items():
        log.info("%s %d row(s) of %s", done, _rewrite(table, columns, change), table)


def upgrade():
    _rewrite_all(_encrypt, "encrypted")


def downgrade():
    _rewrite_all(decrypt, "decrypted")
