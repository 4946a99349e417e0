"""Server-side sessions: one row per login of staff (a shop table) and of platform admins

A session identity now names its row and carries a token whose hash the row keeps; logging out and
"log out everywhere" revoke rows. Identities of the old form (`staff:<tenant>:<user>:<version>`,
`admin:<id>:<version>`) no longer load: everyone logs in once more after this revision.

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-12-08 12:00:00

"""

import sqlalchemy as sa
from alembic import op

from saas.core.rls import PLATFORM_ONLY_ROWS, disable_rls, enable_rls

revision = "d4e5f6a7b8c9"
down_revision = "c3d4e5f6a7b8"
branch_labels = None
depends_on = None


def _session_columns() -> list:
    return [
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
    ]


def upgrade():
    op.create_table(
        "staff_sessions",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        *_session_columns(),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_staff_sessions_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "user_id"],
            ["users.tenant_id", "users.id"],
            name=op.f("fk_staff_sessions_tenant_id_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_staff_sessions")),
    )
    op.create_index("ix_staff_sessions_tenant_id_user_id", "staff_sessions", ["tenant_id", "user_id"])
    op.execute(enable_rls("staff_sessions"))

    op.create_table(
        "platform_admin_sessions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("admin_id", sa.BigInteger(), nullable=False),
        *_session_columns(),
        sa.ForeignKeyConstraint(
            ["admin_id"],
            ["platform_admins.id"],
            name=op.f("fk_platform_admin_sessions_admin_id_platform_admins"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_admin_sessions")),
    )
    op.create_index("ix_platform_admin_sessions_admin_id", "platform_admin_sessions", ["admin_id"])
    # Like the admins themselves: the platform role only, never inside a shop's transaction.
    op.execute(enable_rls("platform_admin_sessions", PLATFORM_ONLY_ROWS))


def downgrade():
    op.execute(disable_rls("platform_admin_sessions"))
    op.drop_index("ix_platform_admin_sessions_admin_id", table_name="platform_admin_sessions")
    op.drop_table("platform_admin_sessions")
    op.execute(disable_rls("staff_sessions"))
    op.drop_index("ix_staff_sessions_tenant_id_user_id", table_name="staff_sessions")
    op.drop_table("staff_sessions")
