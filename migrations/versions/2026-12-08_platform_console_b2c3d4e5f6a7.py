"""The platform console: admins' second factor and recovery codes, audit entries with shop, reason,
before and after; suspension, closing and support access on shops; comped plans; support visits and
whole-shop exports.

A shop's former `suspended` status becomes `suspended_at` (suspension no longer replaces the status
the plan gives, so lifting it loses nothing).

Revision ID: b2c3d4e5f6a7
Revises: a1b2c3d4e5f6
Create Date: 2026-12-08 09:00:00

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from saas.core.rls import PLATFORM_ROWS, disable_rls, enable_rls

revision = "b2c3d4e5f6a7"
down_revision = "a1b2c3d4e5f6"
branch_labels = None
depends_on = None

NEW_TENANT_TABLES = ("support_visits", "support_visit_pages", "shop_exports")


def _tenant_columns(table: str) -> list:
    return [
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def _tenant_fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target}.tenant_id", f"{target}.id"],
        name=op.f(f"fk_{table}_tenant_id_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade():
    # Admins: second factor, deactivation; recovery codes.
    op.add_column("platform_admins", sa.Column("totp_secret", sa.Text(), nullable=True))
    op.add_column("platform_admins", sa.Column("totp_enrolled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("platform_admins", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.add_column("platform_admins", sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "platform_recovery_codes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("admin_id", sa.BigInteger(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["admin_id"],
            ["platform_admins.id"],
            name=op.f("fk_platform_recovery_codes_admin_id_platform_admins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_recovery_codes")),
    )
    op.create_index("ix_platform_recovery_codes_admin_id", "platform_recovery_codes", ["admin_id"])
    op.execute(enable_rls("platform_recovery_codes", PLATFORM_ROWS))

    # Audit entries name the shop, the reason, the state before and after.
    op.add_column("platform_audit_entries", sa.Column("shop_id", sa.BigInteger(), nullable=True))
    op.add_column("platform_audit_entries", sa.Column("reason", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "platform_audit_entries", sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.add_column(
        "platform_audit_entries", sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True)
    )
    op.create_index("ix_platform_audit_entries_shop_id_created_at", "platform_audit_entries", ["shop_id", "created_at"])

    # Shops: suspension and closing on top of the plan's status; support may write only when allowed.
    op.add_column("tenants", sa.Column("suspended_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("tenants", sa.Column("deletion_due_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "tenants", sa.Column("support_write_allowed", sa.Boolean(), server_default="false", nullable=False)
    )
    op.execute("UPDATE tenants SET suspended_at = now(), status = 'active' WHERE status = 'suspended'")
    op.add_column("subscriptions", sa.Column("comped_until", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "support_visits",
        *_tenant_columns("support_visits"),
        sa.Column("admin_id", sa.BigInteger(), nullable=True),
        sa.Column("admin_name", sa.String(length=120), nullable=False),
        sa.Column("admin_email", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("write_allowed", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        _tenant_fk("support_visits", "user_id", "users", ondelete="CASCADE"),
    )
    op.create_index("ix_support_visits_tenant_id_started_at", "support_visits", ["tenant_id", "started_at"])
    op.create_table(
        "support_visit_pages",
        *_tenant_columns("support_visit_pages"),
        sa.Column("visit_id", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        _tenant_fk("support_visit_pages", "visit_id", "support_visits", ondelete="CASCADE"),
    )
    op.create_index("ix_support_visit_pages_tenant_id_visit_id", "support_visit_pages", ["tenant_id", "visit_id"])
    op.create_table(
        "shop_exports",
        *_tenant_columns("shop_exports"),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("requested_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("requested_by_admin_id", sa.BigInteger(), nullable=True),
        sa.Column("storage_key", sa.String(length=120), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_shop_exports_tenant_id_created_at", "shop_exports", ["tenant_id", "created_at"])
    for table in NEW_TENANT_TABLES:
        op.execute(enable_rls(table))


def downgrade():
    for table in reversed(NEW_TENANT_TABLES):
        op.execute(disable_rls(table))
    op.drop_table("shop_exports")
    op.drop_table("support_visit_pages")
    op.drop_table("support_visits")
    op.drop_column("subscriptions", "comped_until")
    op.execute("UPDATE tenants SET status = 'suspended' WHERE suspended_at IS NOT NULL")
    op.drop_column("tenants", "support_write_allowed")
    op.drop_column("tenants", "deletion_due_at")
    op.drop_column("tenants", "suspended_at")
    op.drop_index("ix_platform_audit_entries_shop_id_created_at", table_name="platform_audit_entries")
    op.drop_column("platform_audit_entries", "after")
    op.drop_column("platform_audit_entries", "before")
    op.drop_column("platform_audit_entries", "reason")
    op.drop_column("platform_audit_entries", "shop_id")
    op.execute(disable_rls("platform_recovery_codes"))
    op.drop_index("ix_platform_recovery_codes_admin_id", table_name="platform_recovery_codes")
    op.drop_table("platform_recovery_codes")
    op.drop_column("platform_admins", "deactivated_at")
    op.drop_column("platform_admins", "totp_last_step")
    op.drop_column("platform_admins", "totp_enrolled_at")
    op.drop_column("platform_admins", "totp_secret")
