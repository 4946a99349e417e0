"""`flask billing sync`: re-read every shop's subscription from Stripe and repair drift."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from saas.billing import stripe_gateway as gateway
from saas.billing.models import StripeCustomer
from saas.billing.sync import sync_from_stripe
from saas.core.extensions import db
from saas.core.tasks.shops import run_as_shop

billing_cli = click.Group("billing", help="Subscriptions through Stripe.")


@billing_cli.command("sync")
@with_appcontext
def sync_command() -> None:
    """Re-read each shop's subscription from Stripe, one commit per shop: a shop Stripe cannot
    answer for is left as it was and reported, and the others keep their repairs."""
    if not gateway.enabled():
        raise click.ClickException("Billing is off: set STRIPE_SECRET_KEY first.")
    shop_ids = db.session.scalars(select(StripeCustomer.shop_id).order_by(StripeCustomer.shop_id)).all()
    failures = 0
    for shop_id in shop_ids:
        try:
            outcome = run_as_shop(shop_id, sync_from_stripe)
        except gateway.StripeUnavailable as error:
            failures += 1
            outcome = f"failed: {error}"
        click.echo(f"shop {shop_id}: {outcome}")
    click.echo(f"{len(shop_ids)} shop(s) checked, {failures} failed.")
    if failures:
        raise SystemExit(1)
