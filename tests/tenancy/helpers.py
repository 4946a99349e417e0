"""Two shops with rows in every tenant table, and ways to look at the database around the app.

Tenant tables are discovered from the database (every public table with a `tenant_id`
column), so a table added later is covered by these tests without editing them: rows the
services do not create are filled in with placeholder values (see `_fill_empty_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from sqlalchemy import text

from saas.auth import services as auth
from saas.auth.roles import Role
from saas.core.crypto import EncryptedString
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.privacy.services import record_signup_acceptances
from tests.factories import Ref


@dataclass(frozen=True)
class Shop:
    """A shop, some of its rows, and `ids`: for each tenant table, the id of one of its rows there."""

    tenant: Ref
    owner: Ref
    member: Ref
    customer: Ref
    invitation: Ref
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.tenant.id


@dataclass(frozen=True)
class TwoShops:
    alpha: Shop
    bravo: Shop


CONSTRAINTS = text(
    """
    SELECT t.relname AS table, con.conname AS name, con.contype AS kind,
           array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, pos)
                 JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.pos) AS columns,
           r.relname AS ref_table,
           array(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, pos)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.pos) AS ref_columns
    FROM pg_constraint con
    JOIN pg_class t ON t.oid = con.conrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
    LEFT JOIN pg_class r ON r.oid = con.confrelid
    WHERE t.relname = ANY(:tables)
    """
)


def constraints(conn, tables: list[str]):
    """Constraints of `tables`: table, name, kind (p/u/f/...), columns, ref_table, ref_columns."""
    return conn.execute(CONSTRAINTS, {"tables": tables}).mappings().all()


# A value of each type for required columns of rows no service made, unless the model gives a
# default (one row per shop and table, so unique constraints, which lead with tenant_id, never clash).
PLACEHOLDERS = {
    "text": "'x'",
    "character varying": "'x'",
    "character": "'x'",
    "smallint": "1",
    "integer": "1",
    "bigint": "1",
    "numeric": "1",
    "real": "1",
    "double precision": "1",
    "boolean": "false",
    "date": "current_date",
    "time without time zone": "'09:00'",
    "timestamp with time zone": "now()",
    "timestamp without time zone": "now()",
    "json": "'{}'",
    "jsonb": "'{}'",
    "uuid": "gen_random_uuid()",
    "ARRAY": "'{}'",
}


REQUIRED_COLUMNS = text(
    "SELECT table_name, column_name, data_type FROM information_schema.columns "
    "WHERE table_schema = 'public' AND table_name = ANY(:tables) AND is_nullable = 'NO' "
    "AND column_default IS NULL AND is_identity = 'NO' AND is_generated = 'NEVER' AND column_name <> 'tenant_id'"
)


@dataclass(frozen=True)
class _Catalog:
    """What placeholder rows need to know about the tenant tables (fixed for a test session)."""

    required: dict[str, dict[str, str]]  # table -> {required column: data type}
    foreign_keys: list
    with_id: frozenset[str]


_catalogs: dict[tuple[str, ...], _Catalog] = {}


def _catalog(conn, tables: list[str]) -> _Catalog:
    if tuple(tables) not in _catalogs:
        required: dict[str, dict[str, str]] = {table: {} for table in tables}
        for table, column, data_type in conn.execute(REQUIRED_COLUMNS, {"tables": tables}):
            required[table][column] = data_type
        with_id = conn.scalars(
            text(
                "SELECT table_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = ANY(:tables) AND column_name = 'id'"
            ),
            {"tables": tables},
        )
        foreign_keys = [fk for fk in constraints(conn, tables) if fk["kind"] == "f"]
        _catalogs[tuple(tables)] = _Catalog(required, foreign_keys, frozenset(with_id))
    return _catalogs[tuple(tables)]


def _fill_empty_tables(conn, tenant_id: int, tables: list[str], pending: list[str]) -> None:
    """Insert one placeholder row in each of the `pending` tables (as a superuser).

    Required foreign keys point at the shop's own rows, so tables are filled in dependency order.
    """
    catalog = _catalog(conn, tables)
    while pending:
        filled = [
            table
            for table in pending
            if _insert_placeholder(conn, tenant_id, table, catalog.required, catalog.foreign_keys)
        ]
        assert filled, f"cannot make placeholder rows for {pending}: required references form a cycle"
        pending = [table for table in pending if table not in filled]


def _insert_placeholder(conn, tenant_id, table, required, foreign_keys) -> bool:
    values, params = {"tenant_id": ":tenant_id"}, {"tenant_id": tenant_id}
    for fk in (fk for fk in foreign_keys if fk["table"] == table and set(fk["columns"]) & set(required[table])):
        where = "WHERE tenant_id = :t" if fk["ref_table"] in required else ""
        ref_columns = ", ".join(f'"{c}"' for c in fk["ref_columns"])
        row = conn.execute(text(f'SELECT {ref_columns} FROM "{fk["ref_table"]}" {where} LIMIT 1'), {"t": tenant_id})
        row = row.first()
        if row is None:
            return False  # the referenced table gets its row first
        for column, value in zip(fk["columns"], row, strict=True):
            values[column], params[f"v_{column}"] = f":v_{column}", value
    model = db.metadata.tables.get(table)
    for column, data_type in required[table].items():
        default = model is not None and column in model.c and model.c[column].default
        if column in values:
            continue
        if default and default.is_scalar:
            value = default.arg
            values[column], params[f"v_{column}"] = f":v_{column}", value.value if isinstance(value, Enum) else value
        elif model is not None and column in model.c and isinstance(model.c[column].type, EncryptedString):
            values[column] = "''"  # plain text would not decrypt; an empty value stays empty (saas.core.crypto)
        else:
            assert data_type in PLACEHOLDERS, f"add a placeholder for {data_type} ({table}.{column}) to PLACEHOLDERS"
            values[column] = PLACEHOLDERS[data_type]
    columns = ", ".join(f'"{c}"' for c in values)
    conn.execute(text(f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join(values.values())})'), params)
    return True


def _populate(app, factory, subdomain: str) -> Shop:
    tenant = factory.tenant(subdomain)
    owner = factory.owner(tenant)
    member = factory.user(tenant, Role.TECHNICIAN)
    customer = factory.customer(tenant, name=f"Customer of {subdomain}")
    with app.test_request_context(), tenant_scope(tenant.id):
        inviter = auth.find_user_by_email(owner.email)
        invitation = auth.invite_staff(inviter, f"invitee@{subdomain}.example.com", Role.TECHNICIAN)
        record_signup_acceptances(inviter, "127.0.0.1")
        invitation_ref = Ref(invitation.id, tenant.id, email=invitation.email)
        db.session.commit()
    return Shop(tenant, owner, member, customer, invitation_ref)


def _first_ids(conn, tenant_id: int, tables: list[str]) -> dict[str, int | None]:
    """For each table, the smallest id of the shop's rows (None: it has none; 0: rows without an id column)."""
    with_id = _catalog(conn, tables).with_id
    union = " UNION ALL ".join(
        f"SELECT '{table}', {'min(id)' if table in with_id else 'nullif(count(*), 0) * 0'} "
        f'FROM "{table}" WHERE tenant_id = :t'
        for table in tables
    )
    return dict(conn.execute(text(union), {"t": tenant_id}).all())


def refilled(superuser_engine, tenant_tables: list[str], shop: Shop) -> Shop:
    """`shop` with a row in every tenant table (again, e.g. after a delete) and its `ids` up to date."""
    with superuser_engine.begin() as conn:
        ids = _first_ids(conn, shop.id, tenant_tables)
        missing = [table for table, first in ids.items() if first is None]
        if missing:
            _fill_empty_tables(conn, shop.id, tenant_tables, missing)
            ids = _first_ids(conn, shop.id, tenant_tables)
    return replace(
        shop, ids={**ids, "users": shop.member.id, "customers": shop.customer.id, "invitations": shop.invitation.id}
    )
