"""`flask privacy ...`: operator commands for the privacy promises."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from saas.core.extensions import db
from saas.core.tasks.shops import run_as_shop
from saas.core.tenancy import cross_tenant_scope
from saas.core.tenant import Tenant
from saas.privacy.erasure import replay_ledger

privacy_cli = AppGroup("privacy", help="Privacy: erasure ledger.")


@privacy_cli.command("replay-erasures")
@click.option("--shop", "subdomain", default=None, help="Only this shop (its subdomain).")
def replay_erasures_command(subdomain: str | None) -> None:
    """After restoring a database backup: erase again everyone the erasure ledger lists (one commit per shop)."""
    with cross_tenant_scope("privacy: list the shops whose erasure ledger to replay"):
        query = select(Tenant.id, Tenant.subdomain).order_by(Tenant.id)
        if subdomain:
            query = query.where(Tenant.subdomain == subdomain)
        shops = db.session.execute(query).all()
    if subdomain and not shops:
        raise click.ClickException(f"No shop {subdomain!r}.")
    for tenant_id, name in shops:
        erased = run_as_shop(tenant_id, replay_ledger)
        click.echo(f"{name}: {len(erased)} customer(s) erased again" + (f" ({erased})" if erased else ""))
