"""`flask users create-admin`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from saas.auth.passwords import password_problem
from saas.auth.services import email_problem
from saas.core.extensions import db
from saas.platform.access import AdminRole
from saas.platform.admins import create_admin, find_admin

users_cli = AppGroup("users", help="Platform admin accounts.")


@users_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", default="Platform admin", show_default=True)
@click.option("--role", type=click.Choice([role.value for role in AdminRole]), default="owner", show_default=True)
@click.password_option()
def create_admin_command(email, name, role, password):
    """Create a platform admin (logs in at admin.<host>): owner (every action) or support (reads and helps)."""
    if find_admin(email):
        raise click.UsageError(f"{email} is already a platform admin")
    problem = email_problem(email) or password_problem(password, email)
    if problem:
        raise click.UsageError(problem)
    create_admin(email, name, password, role)
    db.session.commit()
    click.echo(f"Platform admin {email} created.")
