"""Data exports of a person's records (ZIP built by a job) and the record of each erasure.

Revision ID: e5f6a7b8c9d0
Revises: c8d2e3f4a5b6
Create Date: 2026-12-02 18:00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from saas.core.rls import disable_rls, enable_rls

revision = "e5f6a7b8c9d0"
down_revision = "c8d2e3f4a5b6"
branch_labels = None
depends_on = None

NEW_TENANT_TABLES = ("data_exports", "data_export_subjects", "erasure_records")


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
        "data_exports",
        *_tenant_columns("data_exports"),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.BigInteger(), nullable=True),
        sa.Column("request_id", sa.BigInteger(), nullable=True),
        sa.Column("storage_key", sa.String(length=120), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_data_exports_tenant_id_created_at", "data_exports", ["tenant_id", "created_at"])
    op.create_table(
        "data_export_subjects",
        *_tenant_columns("data_export_subjects"),
        sa.Column("export_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        _tenant_fk("data_export_subjects", "export_id", "data_exports", ondelete="CASCADE"),
        _tenant_fk("data_export_subjects", "customer_id", "customers", ondelete="CASCADE"),
    )
    op.create_index(
        "ix_data_export_subjects_tenant_id_export_id", "data_export_subjects", ["tenant_id", "export_id"]
    )
    op.create_index(
        "ix_data_export_subjects_tenant_id_customer_id", "data_export_subjects", ["tenant_id", "customer_id"]
    )
    op.create_table(
        "erasure_records",
        *_tenant_columns("erasure_records"),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_by_id", sa.BigInteger(), nullable=True),
        sa.Column("request_id", sa.BigInteger(), nullable=True),
        sa.Column("notes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("ledger_key", sa.String(length=120), nullable=False),
        _tenant_fk("erasure_records", "customer_id", "customers"),
    )
    op.create_index("ix_erasure_records_tenant_id_customer_id", "erasure_records", ["tenant_id", "customer_id"])
    for table in NEW_TENANT_TABLES:
        op.execute(enable_rls(table))


def downgrade():
    for table in reversed(NEW_TENANT_TABLES):
        op.execute(disable_rls(table))
    op.drop_index("ix_erasure_records_tenant_id_customer_id", table_name="erasure_records")
    op.drop_table("erasure_records")
    op.drop_index("ix_data_export_subjects_tenant_id_customer_id", table_name="data_export_subjects")
    op.drop_index("ix_data_export_subjects_tenant_id_export_id", table_name="data_export_subjects")
    op.drop_table("data_export_subjects")
    op.drop_index("ix_data_exports_tenant_id_created_at", table_name="data_exports")
    op.drop_table("data_exports")
