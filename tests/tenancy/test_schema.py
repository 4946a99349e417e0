"""The schema's guarantees, checked on every tenant table (found in the database, so new ones count)."""

from __future__ import annotations

from sqlalchemy import text

import saas.models  # noqa: F401  (every model in the metadata)
from saas.core.extensions import db
from tests.tenancy.helpers import constraints


def _constraints(superuser_engine, tenant_tables):
    with superuser_engine.connect() as conn:
        return constraints(conn, tenant_tables)


def test_every_tenant_table_has_row_level_security_enabled_forced_and_a_policy(superuser_engine, tenant_tables):
    with superuser_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
                "(SELECT count(*) > 0 FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname) "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relname = ANY(:tables)"
            ),
            {"tables": tenant_tables},
        ).all()

    assert {name: (enabled, forced, policy) for name, enabled, forced, policy in rows} == dict.fromkeys(
        tenant_tables, (True, True, True)
    )


def test_every_tenant_table_has_a_not_null_tenant_id(superuser_engine):
    with superuser_engine.connect() as conn:
        nullable = conn.scalars(
            text(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' "
                "AND column_name = 'tenant_id' AND is_nullable = 'YES'"
            )
        ).all()

    assert nullable == []


def test_every_primary_key_and_unique_constraint_of_a_tenant_table_starts_with_tenant_id(
    superuser_engine, tenant_tables
):
    keys = [row for row in _constraints(superuser_engine, tenant_tables) if row["kind"] in ("p", "u")]

    assert {row["table"] for row in keys if row["kind"] == "p"} == set(tenant_tables), "a tenant table lacks a PK"
    assert [(row["name"], row["columns"]) for row in keys if row["columns"][0] != "tenant_id"] == []


def test_every_index_of_a_tenant_table_leads_with_tenant_id(superuser_engine, tenant_tables):
    with superuser_engine.connect() as conn:
        leading = conn.execute(
            text(
                "SELECT i.relname, a.attname FROM pg_index x "
                "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid "
                "JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public' "
                "LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0] "
                "WHERE t.relname = ANY(:tables)"
            ),
            {"tables": tenant_tables},
        ).all()

    assert leading, "no indexes found"
    assert [name for name, column in leading if column != "tenant_id"] == []


def test_every_foreign_key_between_tenant_tables_pairs_tenant_id_with_tenant_id(superuser_engine, tenant_tables):
    foreign_keys = [
        row
        for row in _constraints(superuser_engine, tenant_tables)
        if row["kind"] == "f" and row["ref_table"] in tenant_tables
    ]

    assert foreign_keys, "expected composite foreign keys between tenant tables"
    assert [
        row["name"]
        for row in foreign_keys
        if ("tenant_id", "tenant_id") not in zip(row["columns"], row["ref_columns"], strict=True)
    ] == []


def test_the_models_and_the_database_agree_on_which_tables_are_tenant_tables(tenant_tables):
    in_models = sorted(name for name, table in db.metadata.tables.items() if "tenant_id" in table.columns)

    assert in_models == tenant_tables


def test_the_app_role_is_no_superuser_cannot_bypass_rls_and_owns_no_table(app_engine, owner_engine):
    with app_engine.connect() as conn:
        role = conn.execute(
            text("SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
        # Owning a table (directly, or through a role it belongs to) would let it switch RLS off.
        owned = conn.scalars(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND pg_has_role(current_user, c.relowner, 'MEMBER')"
            )
        ).all()
    with owner_engine.connect() as conn:
        owner_role = conn.scalar(text("SELECT current_user"))

    assert role.rolname != owner_role
    assert (role.rolsuper, role.rolbypassrls) == (False, False)
    assert owned == []
