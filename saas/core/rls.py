"""PostgreSQL row-level security for tenant tables, used by migrations.

Each transaction of a shop's request sets `workbay.tenant_id` (see `saas.core.tenancy`);
the policies below let a row through only when it belongs to that tenant, or when the
transaction took the explicit cross-tenant path. FORCE makes the table owner obey too.

The cross-tenant path is open to members of the group role `workbay_cross_tenant` only (the
platform role: console, jobs, commands; see `saas.core.database_roles`), and only once they set
`workbay.cross_tenant` (`tenancy.cross_tenant_scope`). The web role is no member: whatever it
sets, it sees one shop's rows at most. `CREATE_FUNCTIONS` is the first migration's version;
`PLATFORM_FUNCTIONS` (migration c3d4e5f6a7b8) adds the membership check.
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

# The group role whose members may work across shops; roles are cluster-wide, the deployment makes
# the platform's login role a member (README, Deployment). Names are schema-qualified because a
# function's body is resolved with the caller's search_path (the worker's starts with `procrastinate`).
CROSS_TENANT_GROUP = "workbay_cross_tenant"
PLATFORM_FUNCTIONS = f"""
CREATE FUNCTION workbay_platform_role() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT pg_has_role(current_user, '{CROSS_TENANT_GROUP}', 'MEMBER') $$;

CREATE OR REPLACE FUNCTION workbay_cross_tenant() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('workbay.cross_tenant', true), '') = 'on' AND public.workbay_platform_role() $$;
"""

TENANT_ROWS = "tenant_id = workbay_current_tenant() OR workbay_cross_tenant()"
# The tenants table itself: a shop's transaction sees only its own row.
TENANT_ITSELF = "workbay_current_tenant() IS NULL OR id = workbay_current_tenant() OR workbay_cross_tenant()"
# Platform tables: never visible from inside a shop's transaction.
PLATFORM_ROWS = "workbay_current_tenant() IS NULL OR workbay_cross_tenant()"
# The platform's own tables (its admins, their second factor, its audit trail): as above, and for the
# platform role only; the web role never reads them, with or without a shop.
PLATFORM_ONLY_ROWS = f"workbay_platform_role() AND ({PLATFORM_ROWS})"


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
