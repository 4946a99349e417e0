"""Customers and assets, work orders with jobs and lines, estimates, invoices, payments, appointments.

All new tables are shop tables: composite keys, row-level security. Appointments of one
shop may not overlap (exclusion constraint, btree_gist).

Revision ID: 3d2ebff66af0
Revises: 81405a527ebc
Create Date: 2026-11-24 01:19:17.680254

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from saas.core.rls import disable_rls, enable_rls

NEW_TENANT_TABLES = (
    "access_log_entries",
    "appointments",
    "assets",
    "bookable_services",
    "canned_job_lines",
    "canned_jobs",
    "estimate_approvals",
    "invoice_lines",
    "invoices",
    "job_lines",
    "jobs",
    "number_sequences",
    "opening_hours",
    "payments",
    "work_order_events",
    "work_order_technicians",
    "work_orders",
)

# revision identifiers, used by Alembic.
revision = "3d2ebff66af0"
down_revision = "81405a527ebc"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bookable_services",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_bookable_services_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_bookable_services")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_bookable_services_tenant_id_name")),
    )
    op.create_table(
        "canned_jobs",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_canned_jobs_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_canned_jobs")),
        sa.UniqueConstraint("tenant_id", "title", name=op.f("uq_canned_jobs_tenant_id_title")),
    )
    op.create_table(
        "number_sequences",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("next_value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_number_sequences_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_number_sequences")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_number_sequences_tenant_id_name")),
    )
    op.create_table(
        "opening_hours",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("opens_at", sa.Time(), nullable=False),
        sa.Column("closes_at", sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_opening_hours_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_opening_hours")),
        sa.UniqueConstraint("tenant_id", "weekday", name=op.f("uq_opening_hours_tenant_id_weekday")),
    )
    op.create_table(
        "access_log_entries",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=True),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_access_log_entries_tenant_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_access_log_entries_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_access_log_entries")),
    )
    op.create_index(
        "ix_access_log_entries_tenant_id_created_at", "access_log_entries", ["tenant_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_access_log_entries_tenant_id_subject",
        "access_log_entries",
        ["tenant_id", "subject_type", "subject_id"],
        unique=False,
    )
    op.create_table(
        "assets",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("make", sa.String(length=60), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("vin", sa.String(length=17), nullable=True),
        sa.Column("plate", sa.String(length=20), nullable=True),
        sa.Column("plate_region", sa.String(length=40), nullable=True),
        sa.Column("odometer", sa.Integer(), nullable=True),
        sa.Column("device_type", sa.String(length=40), nullable=True),
        sa.Column("serial", sa.String(length=40), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["customers.tenant_id", "customers.id"],
            name=op.f("fk_assets_tenant_id_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_assets_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_assets")),
    )
    op.create_index("ix_assets_tenant_id_customer_id", "assets", ["tenant_id", "customer_id"], unique=False)
    op.create_index("ix_assets_tenant_id_plate", "assets", ["tenant_id", "plate"], unique=False)
    op.create_index("ix_assets_tenant_id_serial", "assets", ["tenant_id", "serial"], unique=False)
    op.create_index("ix_assets_tenant_id_vin", "assets", ["tenant_id", "vin"], unique=False)
    op.create_table(
        "canned_job_lines",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("canned_job_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("part_number", sa.String(length=60), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("tax_category", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "canned_job_id"],
            ["canned_jobs.tenant_id", "canned_jobs.id"],
            name=op.f("fk_canned_job_lines_tenant_id_canned_job_id_canned_jobs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_canned_job_lines_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_canned_job_lines")),
    )
    op.create_index(
        "ix_canned_job_lines_tenant_id_canned_job_id", "canned_job_lines", ["tenant_id", "canned_job_id"], unique=False
    )
    op.create_table(
        "appointments",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=True),
        sa.Column("service_id", sa.BigInteger(), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("reminder_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "asset_id"],
            ["assets.tenant_id", "assets.id"],
            name=op.f("fk_appointments_tenant_id_asset_id_assets"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["customers.tenant_id", "customers.id"],
            name=op.f("fk_appointments_tenant_id_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "service_id"],
            ["bookable_services.tenant_id", "bookable_services.id"],
            name=op.f("fk_appointments_tenant_id_service_id_bookable_services"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_appointments_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_appointments")),
    )
    op.create_index("ix_appointments_tenant_id_starts_at", "appointments", ["tenant_id", "starts_at"], unique=False)
    op.create_table(
        "work_orders",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("concern", sa.Text(), nullable=False),
        sa.Column("diagnosis", sa.Text(), nullable=False),
        sa.Column("internal_notes", sa.Text(), nullable=False),
        sa.Column("odometer_in", sa.Integer(), nullable=True),
        sa.Column("promised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("estimate_version", sa.Integer(), nullable=False),
        sa.Column("estimate_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "asset_id"],
            ["assets.tenant_id", "assets.id"],
            name=op.f("fk_work_orders_tenant_id_asset_id_assets"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "created_by_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_work_orders_tenant_id_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["customers.tenant_id", "customers.id"],
            name=op.f("fk_work_orders_tenant_id_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_work_orders_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_work_orders")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_work_orders_tenant_id_number")),
    )
    op.create_index("ix_work_orders_tenant_id_customer_id", "work_orders", ["tenant_id", "customer_id"], unique=False)
    op.create_index("ix_work_orders_tenant_id_status", "work_orders", ["tenant_id", "status"], unique=False)
    op.create_table(
        "estimate_approvals",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("work_order_id", sa.BigInteger(), nullable=False),
        sa.Column("estimate_version", sa.Integer(), nullable=False),
        sa.Column("signed_name", sa.String(length=120), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("approved_total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("declined_total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("decisions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "work_order_id"],
            ["work_orders.tenant_id", "work_orders.id"],
            name=op.f("fk_estimate_approvals_tenant_id_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_estimate_approvals_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_estimate_approvals")),
    )
    op.create_index(
        "ix_estimate_approvals_tenant_id_work_order_id",
        "estimate_approvals",
        ["tenant_id", "work_order_id"],
        unique=False,
    )
    op.create_table(
        "invoices",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("work_order_id", sa.BigInteger(), nullable=True),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("credited_invoice_id", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("bill_to_name", sa.String(length=120), nullable=False),
        sa.Column("bill_to_email", sa.String(length=254), nullable=True),
        sa.Column("bill_to_address", sa.Text(), nullable=False),
        sa.Column("subtotal", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("tax_total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("amount_paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=False),
        sa.Column("issued_by_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "credited_invoice_id"],
            ["invoices.tenant_id", "invoices.id"],
            name=op.f("fk_invoices_tenant_id_credited_invoice_id_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "customer_id"],
            ["customers.tenant_id", "customers.id"],
            name=op.f("fk_invoices_tenant_id_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "issued_by_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_invoices_tenant_id_issued_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "work_order_id"],
            ["work_orders.tenant_id", "work_orders.id"],
            name=op.f("fk_invoices_tenant_id_work_order_id_work_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_invoices_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("tenant_id", "kind", "number", name=op.f("uq_invoices_tenant_id_kind_number")),
    )
    op.create_index("ix_invoices_tenant_id_customer_id", "invoices", ["tenant_id", "customer_id"], unique=False)
    op.create_index("ix_invoices_tenant_id_issued_at", "invoices", ["tenant_id", "issued_at"], unique=False)
    op.create_table(
        "jobs",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("work_order_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("approval", sa.String(length=10), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recommended", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "work_order_id"],
            ["work_orders.tenant_id", "work_orders.id"],
            name=op.f("fk_jobs_tenant_id_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_jobs_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_jobs")),
    )
    op.create_index("ix_jobs_tenant_id_work_order_id", "jobs", ["tenant_id", "work_order_id"], unique=False)
    op.create_table(
        "work_order_events",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("work_order_id", sa.BigInteger(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_work_order_events_tenant_id_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "work_order_id"],
            ["work_orders.tenant_id", "work_orders.id"],
            name=op.f("fk_work_order_events_tenant_id_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_work_order_events_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_work_order_events")),
    )
    op.create_index(
        "ix_work_order_events_tenant_id_work_order_id",
        "work_order_events",
        ["tenant_id", "work_order_id"],
        unique=False,
    )
    op.create_table(
        "work_order_technicians",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("work_order_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_work_order_technicians_tenant_id_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "work_order_id"],
            ["work_orders.tenant_id", "work_orders.id"],
            name=op.f("fk_work_order_technicians_tenant_id_work_order_id_work_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_work_order_technicians_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_work_order_technicians")),
        sa.UniqueConstraint(
            "tenant_id",
            "work_order_id",
            "user_id",
            name=op.f("uq_work_order_technicians_tenant_id_work_order_id_user_id"),
        ),
    )
    op.create_index(
        "ix_work_order_technicians_tenant_id_user_id", "work_order_technicians", ["tenant_id", "user_id"], unique=False
    )
    op.create_table(
        "invoice_lines",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("tax_category", sa.String(length=10), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=7, scale=5), nullable=False),
        sa.Column("net_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "invoice_id"],
            ["invoices.tenant_id", "invoices.id"],
            name=op.f("fk_invoice_lines_tenant_id_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_invoice_lines_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_invoice_lines")),
    )
    op.create_index("ix_invoice_lines_tenant_id_invoice_id", "invoice_lines", ["tenant_id", "invoice_id"], unique=False)
    op.create_table(
        "job_lines",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("part_number", sa.String(length=60), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=10, scale=3), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("tax_category", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "job_id"],
            ["jobs.tenant_id", "jobs.id"],
            name=op.f("fk_job_lines_tenant_id_job_id_jobs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_job_lines_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_job_lines")),
    )
    op.create_index("ix_job_lines_tenant_id_job_id", "job_lines", ["tenant_id", "job_id"], unique=False)
    op.create_table(
        "payments",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "invoice_id"],
            ["invoices.tenant_id", "invoices.id"],
            name=op.f("fk_payments_tenant_id_invoice_id_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "recorded_by_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_payments_tenant_id_recorded_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_payments_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_payments")),
    )
    op.create_index("ix_payments_tenant_id_invoice_id", "payments", ["tenant_id", "invoice_id"], unique=False)
    op.create_index("ix_payments_tenant_id_received_at", "payments", ["tenant_id", "received_at"], unique=False)
    op.add_column("customers", sa.Column("address", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "customers", sa.Column("preferred_contact", sa.String(length=10), server_default="email", nullable=False)
    )
    op.add_column(
        "customers", sa.Column("marketing_consent", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.add_column("customers", sa.Column("marketing_consent_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("customers", sa.Column("marketing_consent_source", sa.String(length=60), nullable=True))
    op.add_column("customers", sa.Column("anonymized_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_customers_tenant_id_email", "customers", ["tenant_id", "email"], unique=False)
    op.create_index("ix_customers_tenant_id_phone", "customers", ["tenant_id", "phone"], unique=False)
    op.add_column("tenants", sa.Column("email", sa.String(length=254), nullable=True))
    op.add_column("tenants", sa.Column("phone", sa.String(length=40), nullable=True))
    op.add_column("tenants", sa.Column("address", sa.Text(), server_default="", nullable=False))
    op.add_column("tenants", sa.Column("tax_id", sa.String(length=40), nullable=True))
    op.add_column("tenants", sa.Column("currency", sa.String(length=3), server_default="USD", nullable=False))
    op.add_column("tenants", sa.Column("timezone", sa.String(length=60), server_default="UTC", nullable=False))
    op.add_column(
        "tenants", sa.Column("labor_rate", sa.Numeric(precision=12, scale=2), server_default="120.00", nullable=False)
    )
    op.add_column(
        "tenants", sa.Column("tax_rate_labor", sa.Numeric(precision=7, scale=5), server_default="0", nullable=False)
    )
    op.add_column(
        "tenants", sa.Column("tax_rate_parts", sa.Numeric(precision=7, scale=5), server_default="0", nullable=False)
    )
    op.add_column(
        "tenants", sa.Column("tax_rate_fees", sa.Numeric(precision=7, scale=5), server_default="0", nullable=False)
    )
    op.add_column("tenants", sa.Column("invoice_due_days", sa.Integer(), server_default="14", nullable=False))

    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(
        "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_no_overlap EXCLUDE USING gist "
        "(tenant_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status NOT IN ('cancelled', 'no_show'))"
    )
    for table in NEW_TENANT_TABLES:
        op.execute(enable_rls(table))


def downgrade():
    for table in NEW_TENANT_TABLES:
        op.execute(disable_rls(table))
    op.execute("ALTER TABLE appointments DROP CONSTRAINT ex_appointments_no_overlap")
    op.drop_column("tenants", "invoice_due_days")
    op.drop_column("tenants", "tax_rate_fees")
    op.drop_column("tenants", "tax_rate_parts")
    op.drop_column("tenants", "tax_rate_labor")
    op.drop_column("tenants", "labor_rate")
    op.drop_column("tenants", "timezone")
    op.drop_column("tenants", "currency")
    op.drop_column("tenants", "tax_id")
    op.drop_column("tenants", "address")
    op.drop_column("tenants", "phone")
    op.drop_column("tenants", "email")
    op.drop_index("ix_customers_tenant_id_phone", table_name="customers")
    op.drop_index("ix_customers_tenant_id_email", table_name="customers")
    op.drop_column("customers", "anonymized_at")
    op.drop_column("customers", "marketing_consent_source")
    op.drop_column("customers", "marketing_consent_at")
    op.drop_column("customers", "marketing_consent")
    op.drop_column("customers", "preferred_contact")
    op.drop_column("customers", "address")
    op.drop_index("ix_payments_tenant_id_received_at", table_name="payments")
    op.drop_index("ix_payments_tenant_id_invoice_id", table_name="payments")
    op.drop_table("payments")
    op.drop_index("ix_job_lines_tenant_id_job_id", table_name="job_lines")
    op.drop_table("job_lines")
    op.drop_index("ix_invoice_lines_tenant_id_invoice_id", table_name="invoice_lines")
    op.drop_table("invoice_lines")
    op.drop_index("ix_work_order_technicians_tenant_id_user_id", table_name="work_order_technicians")
    op.drop_table("work_order_technicians")
    op.drop_index("ix_work_order_events_tenant_id_work_order_id", table_name="work_order_events")
    op.drop_table("work_order_events")
    op.drop_index("ix_jobs_tenant_id_work_order_id", table_name="jobs")
    op.drop_table("jobs")
    op.drop_index("ix_invoices_tenant_id_issued_at", table_name="invoices")
    op.drop_index("ix_invoices_tenant_id_customer_id", table_name="invoices")
    op.drop_table("invoices")
    op.drop_index("ix_estimate_approvals_tenant_id_work_order_id", table_name="estimate_approvals")
    op.drop_table("estimate_approvals")
    op.drop_index("ix_work_orders_tenant_id_status", table_name="work_orders")
    op.drop_index("ix_work_orders_tenant_id_customer_id", table_name="work_orders")
    op.drop_table("work_orders")
    op.drop_index("ix_appointments_tenant_id_starts_at", table_name="appointments")
    op.drop_table("appointments")
    op.drop_index("ix_canned_job_lines_tenant_id_canned_job_id", table_name="canned_job_lines")
    op.drop_table("canned_job_lines")
    op.drop_index("ix_assets_tenant_id_vin", table_name="assets")
    op.drop_index("ix_assets_tenant_id_serial", table_name="assets")
    op.drop_index("ix_assets_tenant_id_plate", table_name="assets")
    op.drop_index("ix_assets_tenant_id_customer_id", table_name="assets")
    op.drop_table("assets")
    op.drop_index("ix_access_log_entries_tenant_id_subject", table_name="access_log_entries")
    op.drop_index("ix_access_log_entries_tenant_id_created_at", table_name="access_log_entries")
    op.drop_table("access_log_entries")
    op.drop_table("opening_hours")
    op.drop_table("number_sequences")
    op.drop_table("canned_jobs")
    op.drop_table("bookable_services")
