"""The signup form's valid fields, and reading back the shops it created."""

from __future__ import annotations

from sqlalchemy import select

from saas.core.extensions import db
from saas.core.tenant import Tenant

SIGNER_IP = "203.0.113.9"


SIGNUP = {
    "shop_name": "Acme Repairs",
    "subdomain": "acme",
    "owner_name": "Ada Owner",
    "email": "ada@acme.example.com",
    "password": "a-long-secret-1",
    "confirm": "a-long-secret-1",
    "country": "US",
    "accept_policies": "y",
}


def all_tenants(app) -> list[Tenant]:
    """Every shop (the tenants table is readable outside any shop)."""
    with app.app_context():
        return list(db.session.scalars(select(Tenant).order_by(Tenant.id)))


def tenant_at(app, subdomain: str) -> Tenant | None:
    """The shop at `subdomain`, if any."""
    with app.app_context():
        return db.session.scalar(select(Tenant).where(Tenant.subdomain == subdomain))
