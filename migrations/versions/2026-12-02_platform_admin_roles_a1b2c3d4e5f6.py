"""Platform admins get a console role: owner (every action) or support (reads and helps shops).

Revision ID: a1b2c3d4e5f6
Revises: d60751cf2c59
Create Date: 2026-12-02 19:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a1b2c3d4e5f6"
down_revision = "d60751cf2c59"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("platform_admins", sa.Column("role", sa.String(length=20), server_default="owner", nullable=False))


def downgrade():
    op.drop_column("platform_admins", "role")
