"""Privacy requests from shops' customers, their history, the shop's deadline rules; processing limits on customers.

Revision ID: 970fbaa38c19
Revises: e4f5a6b7c8d9
Create Date: 2026-12-02 09:00:00

"""

import sqlalchemy as sa
from alembic import op

from saas.core.rls import disable_rls, enable_rls

revision = "970fbaa38c19"
down_revision = "e4f5a6b7c8d9"
branch_labels = None
depends_on = None

NEW_TENANT_TABLES = (
    "privacy_requests",
    "privacy_request_customers",
    "privacy_request_events",
    "privacy_request_settings",
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
    op.add_column("customers", sa.Column("processing_restricted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("customers", sa.Column("objected_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "privacy_requests",
        *_tenant_columns("privacy_requests"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("jurisdiction", sa.String(length=10), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("verification_digest", sa.String(length=64), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_privacy_requests_tenant_id_number")),
    )
    op.create_index(
        "ix_privacy_requests_tenant_id_status_due_on", "privacy_requests", ["tenant_id", "status", "due_on"]
    )
    op.create_index("ix_privacy_requests_tenant_id_email", "privacy_requests", ["tenant_id", "email"])
    op.create_table(
        "privacy_request_customers",
        *_tenant_columns("privacy_request_customers"),
        sa.Column("request_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("limit_set_at", sa.DateTime(timezone=True), nullable=True),
        _tenant_fk("privacy_request_customers", "request_id", "privacy_requests", ondelete="CASCADE"),
        _tenant_fk("privacy_request_customers", "customer_id", "customers", ondelete="CASCADE"),
        sa.UniqueConstraint(
            "tenant_id",
            "request_id",
            "customer_id",
            name=op.f("uq_privacy_request_customers_tenant_id_request_id_customer_id"),
        ),
    )
    op.create_index(
        "ix_privacy_request_customers_tenant_id_customer_id",
        "privacy_request_customers",
        ["tenant_id", "customer_id"],
    )
    op.create_table(
        "privacy_request_events",
        *_tenant_columns("privacy_request_events"),
        sa.Column("request_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _tenant_fk("privacy_request_events", "request_id", "privacy_requests", ondelete="CASCADE"),
        _tenant_fk("privacy_request_events", "user_id", "users"),
    )
    op.create_index(
        "ix_privacy_request_events_tenant_id_request_id", "privacy_request_events", ["tenant_id", "request_id"]
    )
    op.create_table(
        "privacy_request_settings",
        *_tenant_columns("privacy_request_settings"),
        sa.Column("jurisdiction", sa.String(length=10), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_privacy_request_settings_tenant_id")),
    )
    for table in NEW_TENANT_TABLES:
        op.execute(enable_rls(table))


def downgrade():
    for table in reversed(NEW_TENANT_TABLES):
        op.execute(disable_rls(table))
    op.drop_table("privacy_request_settings")
    op.drop_index("ix_privacy_request_events_tenant_id_request_id", table_name="privacy_request_events")
    op.drop_table("privacy_request_events")
    op.drop_index("ix_privacy_request_customers_tenant_id_customer_id", table_name="privacy_request_customers")
    op.drop_table("privacy_request_customers")
    op.drop_index("ix_privacy_requests_tenant_id_email", table_name="privacy_requests")
    op.drop_index("ix_privacy_requests_tenant_id_status_due_on", table_name="privacy_requests")
    op.drop_table("privacy_requests")
    op.drop_column("customers", "objected_at")
    op.drop_column("customers", "processing_restricted_at")
