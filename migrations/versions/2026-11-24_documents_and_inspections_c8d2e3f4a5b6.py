"""Documents in S3 (or a local folder) and digital inspections with photos.

Revision ID: c8d2e3f4a5b6
Revises: b7e1f2a3c4d5
Create Date: 2026-11-24 02:10:00

"""

import sqlalchemy as sa
from alembic import op

from saas.core.rls import disable_rls, enable_rls

revision = "c8d2e3f4a5b6"
down_revision = "b7e1f2a3c4d5"
branch_labels = None
depends_on = None

NEW_TENANT_TABLES = (
    "inspection_templates",
    "inspection_template_items",
    "inspections",
    "inspection_items",
    "documents",
)


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


def _timestamps() -> list:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def upgrade():
    op.create_table(
        "inspection_templates",
        *_tenant_columns("inspection_templates"),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_inspection_templates_tenant_id_name")),
    )
    op.create_table(
        "inspection_template_items",
        *_tenant_columns("inspection_template_items"),
        sa.Column("template_id", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _tenant_fk("inspection_template_items", "template_id", "inspection_templates", ondelete="CASCADE"),
    )
    op.create_index(
        "ix_inspection_template_items_tenant_id_template_id",
        "inspection_template_items",
        ["tenant_id", "template_id"],
    )
    op.create_table(
        "inspections",
        *_tenant_columns("inspections"),
        sa.Column("work_order_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("finished_by_id", sa.BigInteger(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        _tenant_fk("inspections", "work_order_id", "work_orders", ondelete="CASCADE"),
        _tenant_fk("inspections", "created_by_id", "users"),
        _tenant_fk("inspections", "finished_by_id", "users"),
    )
    op.create_index("ix_inspections_tenant_id_work_order_id", "inspections", ["tenant_id", "work_order_id"])
    op.create_table(
        "inspection_items",
        *_tenant_columns("inspection_items"),
        sa.Column("inspection_id", sa.BigInteger(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(length=20), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=True),
        _tenant_fk("inspection_items", "inspection_id", "inspections", ondelete="CASCADE"),
    )
    op.create_index("ix_inspection_items_tenant_id_inspection_id", "inspection_items", ["tenant_id", "inspection_id"])
    op.create_table(
        "documents",
        *_tenant_columns("documents"),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("sensitive", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=True),
        sa.Column("asset_id", sa.BigInteger(), nullable=True),
        sa.Column("work_order_id", sa.BigInteger(), nullable=True),
        sa.Column("inspection_item_id", sa.BigInteger(), nullable=True),
        sa.Column("uploaded_by_id", sa.BigInteger(), nullable=True),
        sa.Column("retain_until", sa.Date(), nullable=True),
        *_timestamps(),
        _tenant_fk("documents", "customer_id", "customers"),
        _tenant_fk("documents", "asset_id", "assets"),
        _tenant_fk("documents", "work_order_id", "work_orders"),
        _tenant_fk("documents", "inspection_item_id", "inspection_items"),
        _tenant_fk("documents", "uploaded_by_id", "users"),
        sa.UniqueConstraint("tenant_id", "storage_key", name=op.f("uq_documents_tenant_id_storage_key")),
    )
    op.create_index("ix_documents_tenant_id_customer_id", "documents", ["tenant_id", "customer_id"])
    op.create_index("ix_documents_tenant_id_asset_id", "documents", ["tenant_id", "asset_id"])
    op.create_index("ix_documents_tenant_id_work_order_id", "documents", ["tenant_id", "work_order_id"])
    op.create_index("ix_documents_tenant_id_inspection_item_id", "documents", ["tenant_id", "inspection_item_id"])
    for table in NEW_TENANT_TABLES:
        op.execute(enable_rls(table))


def downgrade():
    for table in reversed(NEW_TENANT_TABLES):
        op.execute(disable_rls(table))
    op.drop_index("ix_documents_tenant_id_inspection_item_id", table_name="documents")
    op.drop_index("ix_documents_tenant_id_work_order_id", table_name="documents")
    op.drop_index("ix_documents_tenant_id_asset_id", table_name="documents")
    op.drop_index("ix_documents_tenant_id_customer_id", table_name="documents")
    op.drop_table("documents")
    op.drop_index("ix_inspection_items_tenant_id_inspection_id", table_name="inspection_items")
    op.drop_table("inspection_items")
    op.drop_index("ix_inspections_tenant_id_work_order_id", table_name="inspections")
    op.drop_table("inspections")
    op.drop_index("ix_inspection_template_items_tenant_id_template_id", table_name="inspection_template_items")
    op.drop_table("inspection_template_items")
    op.drop_table("inspection_templates")
