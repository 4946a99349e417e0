"""Signing up through the public form, and reading back what it created."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.core.extensions import db
from saas.core.tenant import Tenant
from tests.auth.conftest import clock_ahead, flask_cli  # noqa: F401  (fixtures shared with the auth tests)

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


@pytest.fixture
def sign_up(client):
    """`sign_up(**changes)` posts the signup form (valid unless changed; None leaves a field out)."""

    def post(**changes):
        data = {key: value for key, value in {**SIGNUP, **changes}.items() if value is not None}
        return client.post("/signup", data=data, environ_base={"REMOTE_ADDR": SIGNER_IP})

    return post


def all_tenants(app) -> list[Tenant]:
    """Every shop (the tenants table is readable outside any shop)."""
    with app.app_context():
        return list(db.session.scalars(select(Tenant).order_by(Tenant.id)))


def tenant_at(app, subdomain: str) -> Tenant | None:
    """The shop at `subdomain`, if any."""
    with app.app_context():
        return db.session.scalar(select(Tenant).where(Tenant.subdomain == subdomain))
