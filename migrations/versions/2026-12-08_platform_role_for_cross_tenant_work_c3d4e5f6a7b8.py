"""Cross-tenant work for the platform role only: the web role can no longer lift row-level security

Until now `workbay_cross_tenant()` was true for any role that set `workbay.cross_tenant`, so the
web app's own role could switch row-level security to every shop. From this revision:

* members of the NOLOGIN group role `workbay_cross_tenant` may work across shops: the deployment's
  platform role (`workbay_platform`, PLATFORM_DATABASE_URL: console, jobs, commands) is one; the web
  role is not, and cannot become one (no grant, so no SET ROLE either);
* `workbay_platform_role()` says whether the connected role is such a member, and
  `workbay_cross_tenant()` is true only for a member that set `workbay.cross_tenant` (the
  explicit, logged `cross_tenant_scope` stays);
* the platform's own tables (admins, their recovery codes, the audit trail) are visible to members
  only; queued jobs that name a shop are hidden from the web role unless it is that shop's
  transaction (their arguments hold mail with reset links);
* the group gets the privileges the app role has (tables, sequences, functions, in `public` and in
  `procrastinate`, now and for tables to come); the platform's login role inherits them.

Roles are cluster-wide: the group is created here only when it is missing and the migrating role may
create roles; otherwise the deployment creates it first (README, Deployment). The downgrade restores
the previous function and policies and revokes the privileges, but leaves the role: other databases
of the cluster may use it.

Revision ID: c3d4e5f6a7b8
Revises: b2c3d4e5f6a7
Create Date: 2026-12-08 12:00:00

"""

from alembic import op

from saas.core.rls import CROSS_TENANT_GROUP, PLATFORM_FUNCTIONS, PLATFORM_ONLY_ROWS

revision = "c3d4e5f6a7b8"
down_revision = "b2c3d4e5f6a7"
branch_labels = None
depends_on = None

SCHEMAS = "public, procrastinate"
PLATFORM_ONLY_TABLES = ("platform_admins", "platform_recovery_codes", "platform_audit_entries")

ENSURE_GROUP = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{CROSS_TENANT_GROUP}') THEN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
            RAISE EXCEPTION 'the role {CROSS_TENANT_GROUP} is missing, and % may not create roles', current_user
                USING HINT = 'As a superuser: CREATE ROLE {CROSS_TENANT_GROUP} NOLOGIN; '
                    'GRANT {CROSS_TENANT_GROUP} TO the platform role (README, Deployment); then migrate again.';
        END IF;
        CREATE ROLE {CROSS_TENANT_GROUP} NOLOGIN;
    END IF;
END;
$$;
"""

GRANTS = f"""
GRANT USAGE ON SCHEMA {SCHEMAS} TO {CROSS_TENANT_GROUP};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {SCHEMAS} TO {CROSS_TENANT_GROUP};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {SCHEMAS} TO {CROSS_TENANT_GROUP};
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {SCHEMAS} TO {CROSS_TENANT_GROUP};
ALTER DEFAULT PRIVILEGES IN SCHEMA {SCHEMAS} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {CROSS_TENANT_GROUP};
ALTER DEFAULT PRIVILEGES IN SCHEMA {SCHEMAS} GRANT USAGE, SELECT ON SEQUENCES TO {CROSS_TENANT_GROUP};
ALTER DEFAULT PRIVILEGES IN SCHEMA {SCHEMAS} GRANT EXECUTE ON FUNCTIONS TO {CROSS_TENANT_GROUP};
"""

REVOKES = f"""
ALTER DEFAULT PRIVILEGES IN SCHEMA {SCHEMAS} REVOKE EXECUTE ON FUNCTIONS FROM {CROSS_TENANT_GROUP};
ALTER DEFAULT PRIVILEGES IN SCHEMA {SCHEMAS} REVOKE USAGE, SELECT ON SEQUENCES FROM {CROSS_TENANT_GROUP};
ALTER DEFAULT PRIVILEGES IN SCHEMA {SCHEMAS} REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {CROSS_TENANT_GROUP};
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA {SCHEMAS} FROM {CROSS_TENANT_GROUP};
REVOKE USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {SCHEMAS} FROM {CROSS_TENANT_GROUP};
REVOKE SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {SCHEMAS} FROM {CROSS_TENANT_GROUP};
REVOKE USAGE ON SCHEMA {SCHEMAS} FROM {CROSS_TENANT_GROUP};
"""

# The function as the first migration made it (saas.core.rls.CREATE_FUNCTIONS), frozen here.
PREVIOUS_CROSS_TENANT = """
CREATE OR REPLACE FUNCTION workbay_cross_tenant() RETURNS boolean LANGUAGE sql STABLE AS
$$ SELECT coalesce(current_setting('workbay.cross_tenant', true), '') = 'on' $$;
DROP FUNCTION workbay_platform_role();
"""

# The queue's jobs: a shop's transaction sees that shop's jobs; with no shop set, the web role sees
# the jobs that name no shop (the public site's), the platform role (the worker) all of them.
JOB_ROWS = (
    "(args->>'tenant_id')::bigint = public.workbay_current_tenant() OR public.workbay_cross_tenant() "
    "OR (public.workbay_current_tenant() IS NULL "
    "AND (args->>'tenant_id' IS NULL OR public.workbay_platform_role()))"
)
# As the console's migration (b2c3d4e5f6a7) and the queue's (a7c31e5f9b24) made them.
PREVIOUS_PLATFORM_ROWS = "workbay_current_tenant() IS NULL OR workbay_cross_tenant()"
PREVIOUS_JOB_ROWS = (
    "public.workbay_current_tenant() IS NULL OR public.workbay_cross_tenant() "
    "OR (args->>'tenant_id')::bigint = public.workbay_current_tenant()"
)


def _policy(table: str, condition: str) -> str:
    return f"ALTER POLICY tenant_isolation ON {table} USING ({condition}) WITH CHECK ({condition});"


def upgrade():
    op.execute(ENSURE_GROUP)
    op.execute(GRANTS)
    op.execute(PLATFORM_FUNCTIONS)
    for table in PLATFORM_ONLY_TABLES:
        op.execute(_policy(table, PLATFORM_ONLY_ROWS))
    op.execute(_policy("procrastinate.procrastinate_jobs", JOB_ROWS))


def downgrade():
    op.execute(_policy("procrastinate.procrastinate_jobs", PREVIOUS_JOB_ROWS))
    for table in PLATFORM_ONLY_TABLES:
        op.execute(_policy(table, PREVIOUS_PLATFORM_ROWS))
    op.execute(PREVIOUS_CROSS_TENANT)
    op.execute(REVOKES)
