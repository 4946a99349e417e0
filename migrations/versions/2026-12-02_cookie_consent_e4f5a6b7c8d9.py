"""Cookie consent: proof of visitors' choices (a shop's, and the public site's) and a shop's analytics.

Consent rows are append-only: a trigger refuses any UPDATE that changes what a row proves (a new
choice is a new row).

Revision ID: e4f5a6b7c8d9
Revises: f6a7b8c9d0e1
Create Date: 2026-12-02 09:00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from saas.core.rls import PLATFORM_ROWS, disable_rls, enable_rls

revision = "e4f5a6b7c8d9"
down_revision = "f6a7b8c9d0e1"
branch_labels = None
depends_on = None

CONSENT_TABLES = ("cookie_consents", "platform_cookie_consents")

# What a row proves never changes. Its tenant_id is left to row-level security, which already refuses
# moving a row into another shop.
CREATE_APPEND_ONLY = """
CREATE FUNCTION workbay_consent_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (to_jsonb(NEW) - 'tenant_id') IS DISTINCT FROM (to_jsonb(OLD) - 'tenant_id') THEN
    RAISE EXCEPTION '% rows are append-only: record a new choice as a new row', TG_TABLE_NAME;
  END IF;
  RETURN NEW;
END $$;
"""


def _proof_columns() -> list:
    return [
        sa.Column("consent_id", sa.String(length=32), nullable=False),
        sa.Column("categories", postgresql.ARRAY(sa.String(length=20)), nullable=False),
        sa.Column("policy_version", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("ip_hash", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _tenant_columns(table: str) -> list:
    return [
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def upgrade():
    op.create_table("cookie_consents", *_tenant_columns("cookie_consents"), *_proof_columns())
    op.create_index("ix_cookie_consents_tenant_id_given_at", "cookie_consents", ["tenant_id", "given_at"])
    op.create_index("ix_cookie_consents_tenant_id_consent_id", "cookie_consents", ["tenant_id", "consent_id"])
    op.create_table(
        "platform_cookie_consents",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        *_proof_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_cookie_consents")),
    )
    op.create_index("ix_platform_cookie_consents_given_at", "platform_cookie_consents", ["given_at"])
    op.create_index("ix_platform_cookie_consents_consent_id", "platform_cookie_consents", ["consent_id"])
    op.create_table(
        "shop_analytics_settings",
        *_tenant_columns("shop_analytics_settings"),
        sa.Column("plausible_domain", sa.String(length=253), nullable=True),
        sa.Column("ga4_measurement_id", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.UniqueConstraint("tenant_id", name="uq_shop_analytics_settings_tenant_id"),
    )
    op.execute(enable_rls("cookie_consents"))
    op.execute(enable_rls("shop_analytics_settings"))
    op.execute(enable_rls("platform_cookie_consents", PLATFORM_ROWS))
    op.execute(CREATE_APPEND_ONLY)
    for table in CONSENT_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION workbay_consent_unchanged();"
        )


def downgrade():
    for table in CONSENT_TABLES:
        op.execute(f"DROP TRIGGER {table}_append_only ON {table};")
    op.execute("DROP FUNCTION workbay_consent_unchanged();")
    op.execute(disable_rls("platform_cookie_consents"))
    op.execute(disable_rls("shop_analytics_settings"))
    op.execute(disable_rls("cookie_consents"))
    op.drop_table("shop_analytics_settings")
    op.drop_index("ix_platform_cookie_consents_consent_id", table_name="platform_cookie_consents")
    op.drop_index("ix_platform_cookie_consents_given_at", table_name="platform_cookie_consents")
    op.drop_table("platform_cookie_consents")
    op.drop_index("ix_cookie_consents_tenant_id_consent_id", table_name="cookie_consents")
    op.drop_index("ix_cookie_consents_tenant_id_given_at", table_name="cookie_consents")
    op.drop_table("cookie_consents")
