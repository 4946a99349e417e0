"""Shop privacy settings, versions of each shop's privacy policy, marketing consent re-confirmations.

Revision ID: d60751cf2c59
Revises: 970fbaa38c19
Create Date: 2026-12-02 09:00:00

"""

import sqlalchemy as sa
from alembic import op

from saas.core.rls import disable_rls, enable_rls

revision = "d60751cf2c59"
down_revision = "970fbaa38c19"
branch_labels = None
depends_on = None

NEW_TENANT_TABLES = ("shop_privacy_settings", "shop_policy_versions", "marketing_reconfirmations")


def _tenant_fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target}.tenant_id", f"{target}.id"],
        name=op.f(f"fk_{table}_tenant_id_{column}_{target}"),
        ondelete=ondelete,
    )


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
    op.create_table(
        "shop_privacy_settings",
        *_tenant_columns("shop_privacy_settings"),
        sa.Column("booking_age_check", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("booking_minimum_age", sa.Integer(), server_default="18", nullable=False),
        sa.Column("marketing_minimum_age", sa.Integer(), nullable=True),
        sa.Column("policy_additions", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_shop_privacy_settings_tenant_id")),
    )
    op.create_table(
        "shop_policy_versions",
        *_tenant_columns("shop_policy_versions"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.BigInteger(), nullable=True),
        sa.Column("material", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        _tenant_fk("shop_policy_versions", "published_by_id", "users"),
        sa.UniqueConstraint("tenant_id", "version", name=op.f("uq_shop_policy_versions_tenant_id_version")),
    )
    op.create_table(
        "marketing_reconfirmations",
        *_tenant_columns("marketing_reconfirmations"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("policy_version_id", sa.BigInteger(), nullable=False),
        sa.Column("consent_given_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_source", sa.String(length=60), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        _tenant_fk("marketing_reconfirmations", "customer_id", "customers", ondelete="CASCADE"),
        # Names over PostgreSQL's 63 characters are shortened with a hash, as SQLAlchemy's convention does.
        sa.ForeignKeyConstraint(
            ["tenant_id", "policy_version_id"],
            ["shop_policy_versions.tenant_id", "shop_policy_versions.id"],
            name=op.f("fk_marketing_reconfirmations_tenant_id_policy_version_i_9c86"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "customer_id",
            "policy_version_id",
            name=op.f("uq_marketing_reconfirmations_tenant_id_customer_id_poli_f648"),
        ),
    )
    op.create_index(
        "ix_marketing_reconfirmations_tenant_id_customer_id", "marketing_reconfirmations", ["tenant_id", "customer_id"]
    )
    for table in NEW_TENANT_TABLES:
        op.execute(enable_rls(table))


def downgrade():
    for table in reversed(NEW_TENANT_TABLES):
        op.execute(disable_rls(table))
    op.drop_index("ix_marketing_reconfirmations_tenant_id_customer_id", table_name="marketing_reconfirmations")
    op.drop_table("marketing_reconfirmations")
    op.drop_table("shop_policy_versions")
    op.drop_table("shop_privacy_settings")
