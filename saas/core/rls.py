"""PostgreSQL row-level security for tenant tables, used by migrations.

Each transaction of a shop's request sets `workbay.tenant_id` (see `saas.core.tenancy`);
the policies below let a row through only when it belongs to that tenant, or when the
transaction took the explicit cross-tenant path. FORCE makes the table owner obey too.
"""

from __future__ import annotations

CREATE_FUNCTIONS = """
CREATE FUNCTION workbay_current_tenant() RETURNS bigint LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('workbay.tenant_id', true), '')::bigint $$;

CREATE FUNCTION workbay_cross_tenant() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('workbay.cross_tenant', true), '') = 'on' $$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION workbay_cross_tenant();
DROP FUNCTION workbay_current_tenant();
"""

TENANT_ROWS = "tenant_id = workbay_current_tenant() OR workbay_cross_tenant()"
# The tenants table itself: a shop's transaction sees only its own row.
TENANT_ITSELF = "workbay_current_tenant() IS NULL OR id = workbay_current_tenant() OR workbay_cross_tenant()"
# Platform tables: never visible from inside a shop's transaction.
PLATFORM_ROWS = "workbay_current_tenant() IS NULL OR workbay_cross_tenant()"


def enable_rls(table: str, condition: str = TENANT_ROWS) -> str:
    """SQL that turns on (and forces) row-level security on `table` with `condition`."""
    return (
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\n"
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY;\n"
        f"CREATE POLICY tenant_isolation ON {table} USING ({condition}) WITH CHECK ({condition});"
    )


def disable_rls(table: str) -> str:
    """SQL that undoes `enable_rls`."""
    return (
        f"DROP POLICY tenant_isolation ON {table};\n"
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY;\n"
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;"
    )
