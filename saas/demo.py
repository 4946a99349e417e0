"""`flask demo seed`: a platform admin and a demo shop with staff and customers (once)."""

from __future__ import annotations

import random

import click
from flask.cli import AppGroup

from saas.auth import services as auth
from saas.auth.roles import Role
from saas.db import utcnow
from saas.extensions import db
from saas.onboarding.services import create_tenant
from saas.onboarding.subdomains import shop_exists
from saas.platform.services import create_admin, find_admin
from saas.customers.services import save_customer
from saas.tenancy import tenant_scope

demo_cli = AppGroup("demo", help="Demo data for the embedded default.")

DEMO_SUBDOMAIN = "demo"
ADMIN_LOGIN = ("admin@workbay.example.com", "workbay-admin-pass")
STAFF_LOGINS = (
    ("owner@demo.example.com", "Olivia Owner", Role.OWNER),
    ("advisor@demo.example.com", "Sam Advisor", Role.SERVICE_ADVISOR),
    ("tech@demo.example.com", "Theo Technician", Role.TECHNICIAN),
)
DEMO_PASSWORD = "demo-shop-pass"
FIRST_NAMES = ["Ava", "Liam", "Mia", "Noah", "Emma", "Lucas", "Sofia", "Mateo", "Chloe", "Ethan", "Zoe", "Omar",
               "Hana", "Ravi", "Ines", "Jonas", "Priya", "Diego", "Lena", "Kofi"]
LAST_NAMES = ["Garcia", "Nguyen", "Smith", "Müller", "Rossi", "Kowalski", "Okafor", "Tanaka", "Silva", "Dubois",
              "Johansson", "Patel", "Haddad", "O'Brien", "Novak"]


def seed_demo(customers: int = 40) -> bool:
    """Create the demo data unless it exists; returns True when something was created."""
    created = False
    if find_admin(ADMIN_LOGIN[0]) is None:
        create_admin(ADMIN_LOGIN[0], "Platform Admin", ADMIN_LOGIN[1])
        created = True
    if not shop_exists(DEMO_SUBDOMAIN):
        tenant = create_tenant("Demo Auto & Device Repair", DEMO_SUBDOMAIN, "US")
        with tenant_scope(tenant.id):
            for email, name, role in STAFF_LOGINS:
                user = auth.create_user(email, name, DEMO_PASSWORD, role)
                user.email_verified_at = utcnow()
            rng = random.Random(7)
            for number in range(customers):
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                save_customer(
                    None,
                    name=f"{first} {last}",
                    email=f"{first}.{last}{number}@example.com".lower().replace("'", "").replace("ü", "u"),
                    phone=f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                    notes="",
                )
        created = True
    db.session.commit()
    return created


def demo_logins() -> list[tuple[str, str, str]]:
    """(where, e-mail, password) for the printed welcome."""
    return [("platform", *ADMIN_LOGIN)] + [(role.label, email, DEMO_PASSWORD) for email, _, role in STAFF_LOGINS]


@demo_cli.command("seed")
@click.option("--customers", default=40, show_default=True, help="How many demo customers.")
def seed_command(customers: int):
    """Seed the demo shop and a platform admin (does nothing when they exist)."""
    if seed_demo(customers):
        click.echo("Demo data created.")
    else:
        click.echo("Demo data already present; nothing to do.")
    for where, email, password in demo_logins():
        click.echo(f"  {where:<16} {email:<30} {password}")
