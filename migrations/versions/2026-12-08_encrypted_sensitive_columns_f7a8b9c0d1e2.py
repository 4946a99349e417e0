"""(to be written: encrypted sensitive columns)

Revision ID: f7a8b9c0d1e2
Revises: d4e5f6a7b8c9
Create Date: 2026-12-08 12:00:00

"""

revision = "f7a8b9c0d1e2"
down_revision = "d4e5f6a7b8c9"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
