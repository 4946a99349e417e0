"""Retention: the shop's periods per kind of data, the log of each run, and legal holds on customers.

Revision ID: f6a7b8c9d0e1
Revises: e5f6a7b8c9d0
Create Date: 2026-12-02 19:00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from saas.core.rls import disable_rls, enable_rls

revision = "f6a7b8c9d0e1"
down_revision = "e5f6a7b8c9d0"
branch_labels = None
depends_on = None

NEW_TENANT_TABLES = ("retention_rules", "retention_runs", "legal_holds")


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
        "retention_rules",
        *_tenant_columns("retention_rules"),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "category", name=op.f("uq_retention_rules_tenant_id_category")),
    )
    op.create_table(
        "retention_runs",
        *_tenant_columns("retention_runs"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("started_by_id", sa.BigInteger(), nullable=True),
        sa.Column("results", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("spared", sa.Integer(), nullable=False),
    )
    op.create_index("ix_retention_runs_tenant_id_started_at", "retention_runs", ["tenant_id", "started_at"])
    op.create_table(
        "legal_holds",
        *_tenant_columns("legal_holds"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by_id", sa.BigInteger(), nullable=True),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["customers.tenant_id", "customers.id"],
            name=op.f("fk_legal_holds_tenant_id_customer_id_customers"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_legal_holds_tenant_id_customer_id", "legal_holds", ["tenant_id", "customer_id"])
    for table in NEW_TENANT_TABLES:
        op.execute(enable_rls(table))


def downgrade():
    for table in reversed(NEW_TENANT_TABLES):
        op.execute(disable_rls(table))
    op.drop_index("ix_legal_holds_tenant_id_customer_id", table_name="legal_holds")
    op.drop_table("legal_holds")
    op.drop_index("ix_retention_runs_tenant_id_started_at", table_name="retention_runs")
    op.drop_table("retention_runs")
    op.drop_table("retention_rules")
