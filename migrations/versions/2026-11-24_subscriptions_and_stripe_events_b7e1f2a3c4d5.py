"""Subscriptions through Stripe: plans on tenants, Stripe customer and subscription state, processed webhook events.

`subscriptions` is a shop table (composite key, row-level security like every shop table).
`stripe_customers` and `stripe_events` are platform tables: the webhook, which runs without a
shop, reads and writes them; inside a shop's transaction `stripe_events` is invisible and
`stripe_customers` shows the shop's own link only.

Revision ID: b7e1f2a3c4d5
Revises: a7c31e5f9b24
Create Date: 2026-11-24 02:10:00

"""

import sqlalchemy as sa
from alembic import op

from saas.core.rls import PLATFORM_ROWS, disable_rls, enable_rls

revision = "b7e1f2a3c4d5"
down_revision = "a7c31e5f9b24"
branch_labels = None
depends_on = None

# A shop's transaction sees (and may add) its own customer link only; the webhook sees all.
OWN_CUSTOMER_LINK = "shop_id = workbay_current_tenant() OR workbay_current_tenant() IS NULL OR workbay_cross_tenant()"


def upgrade():
    op.create_table(
        "subscriptions",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("plan", sa.String(length=20), nullable=True),
        sa.Column("interval", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("stripe_customer_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_subscription_id", sa.String(length=255), nullable=True),
        sa.Column("stripe_price_id", sa.String(length=255), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("current_period_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("past_due_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("action_url", sa.Text(), nullable=True),
        sa.Column("state_at", sa.BigInteger(), nullable=False),
        sa.Column("checkout_session_id", sa.String(length=255), nullable=True),
        sa.Column("trial_reminder_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_subscriptions_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_subscriptions_tenant_id")),
    )
    op.create_table(
        "stripe_customers",
        sa.Column("stripe_customer_id", sa.String(length=255), nullable=False),
        sa.Column("shop_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["tenants.id"], name=op.f("fk_stripe_customers_shop_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("stripe_customer_id", name=op.f("pk_stripe_customers")),
        sa.UniqueConstraint("shop_id", name=op.f("uq_stripe_customers_shop_id")),
    )
    op.create_table(
        "stripe_events",
        sa.Column("id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("stripe_created", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shop_id", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["tenants.id"], name=op.f("fk_stripe_events_shop_id_tenants"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stripe_events")),
    )
    op.execute(enable_rls("subscriptions"))
    op.execute(enable_rls("stripe_customers", OWN_CUSTOMER_LINK))
    op.execute(enable_rls("stripe_events", PLATFORM_ROWS))


def downgrade():
    for table in ("stripe_events", "stripe_customers", "subscriptions"):
        op.execute(disable_rls(table))
    op.drop_table("stripe_events")
    op.drop_table("stripe_customers")
    op.drop_table("subscriptions")
