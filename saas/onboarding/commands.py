"""`flask tenants create|list`."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from saas.auth import services as auth
from saas.auth.passwords import password_problem
from saas.auth.roles import Role
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.core.tenant import Tenant
from saas.onboarding.countries import is_country_code
from saas.onboarding.services import create_tenant
from saas.onboarding.subdomains import normalize_subdomain, subdomain_problem

tenants_cli = AppGroup("tenants", help="Create and list shops.")


@tenants_cli.command("create")
@click.option("--name", required=True, help="Shop name.")
@click.option("--subdomain", required=True, help="Subdomain, e.g. acme.")
@click.option("--country", default="US", show_default=True, help="ISO country code.")
@click.option("--owner-email", required=True)
@click.option("--owner-name", required=True)
@click.password_option("--owner-password", help="The owner's password (prompted when left out).")
def create_command(name, subdomain, country, owner_email, owner_name, owner_password):
    """Create a shop with its owner, in trial."""
    subdomain = normalize_subdomain(subdomain)
    problem = (
        subdomain_problem(subdomain) or auth.email_problem(owner_email) or password_problem(owner_password, owner_email)
    )
    if not problem and not is_country_code(country):
        problem = f"unknown country code {country!r}"
    if problem:
        raise click.UsageError(problem)
    tenant = create_tenant(name, subdomain, country)
    with tenant_scope(tenant.id):
        auth.create_user(owner_email, owner_name, owner_password, Role.OWNER)
    db.session.commit()
    click.echo(f"Created shop {tenant.name!r} at subdomain {tenant.subdomain!r} (id {tenant.id}).")


@tenants_cli.command("list")
def list_command():
    """List every shop."""
    tenants = db.session.scalars(select(Tenant).order_by(Tenant.created_at)).all()
    if not tenants:
        click.echo("No shops yet.")
    for tenant in tenants:
        trial = f" trial ends {tenant.trial_ends_at:%Y-%m-%d}" if tenant.trial_ends_at else ""
        click.echo(f"{tenant.id:>6}  {tenant.subdomain:<24} {tenant.status:<10} {tenant.name}{trial}")
