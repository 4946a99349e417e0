"""Test data, created the way the app creates it (through services, in the tenant's scope)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyotp
from sqlalchemy import select

from saas.auth import services as auth
from saas.auth.roles import Role
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.customers.services import save_customer
from saas.onboarding.services import create_tenant
from saas.platform.admins import create_admin
from saas.platform.models import PlatformAdmin

PASSWORD = "correct-horse-battery"
# The second factor of the factory's platform admins (base32, as an authenticator app stores it).
ADMIN_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_sequence = itertools.count(1)


@dataclass(frozen=True)
class Ref:
    """Ids of a created row (ORM objects do not outlive the factory's app context)."""

    id: int
    tenant_id: int | None = None
    email: str | None = None
    subdomain: str | None = None


class Factory:
    """Builds committed rows; each method opens its own app context like a request would."""

    def __init__(self, app):
        self.app = app

    def tenant(self, subdomain: str | None = None, name: str | None = None, owner_email: str | None = None) -> Ref:
        """A shop in trial with an owner (`owner@<subdomain>.example.com`)."""
        n = next(_sequence)
        subdomain = subdomain or f"shop{n}"
        with self.app.test_request_context():
            tenant = create_tenant(name or f"Shop {subdomain}", subdomain, "US")
            with tenant_scope(tenant.id):
                auth.create_user(
                    owner_email or f"owner@{subdomain}.example.com", "Owner " + subdomain, PASSWORD, Role.OWNER
                )
            db.session.commit()
            return Ref(tenant.id, tenant.id, subdomain=subdomain)

    def user(self, tenant: Ref, role: Role = Role.TECHNICIAN, email: str | None = None, name: str = "") -> Ref:
        """A staff member of `tenant`."""
        email = email or f"{role.value}{next(_sequence)}@{tenant.subdomain}.example.com"
        with self.app.test_request_context(), tenant_scope(tenant.id):
            user = auth.create_user(email, name or email.split("@")[0], PASSWORD, role)
            db.session.commit()
            return Ref(user.id, tenant.id, email=user.email)

    def owner(self, tenant: Ref) -> Ref:
        """The owner `tenant()` created."""
        with self.app.test_request_context(), tenant_scope(tenant.id):
            user = auth.find_user_by_email(f"owner@{tenant.subdomain}.example.com")
            return Ref(user.id, tenant.id, email=user.email)

    def customer(self, tenant: Ref, name: str = "Jane Customer", email: str | None = None) -> Ref:
        """A customer of `tenant`."""
        with self.app.test_request_context(), tenant_scope(tenant.id):
            customer = save_customer(None, name=name, email=email, phone=None, notes="")
            db.session.commit()
            return Ref(customer.id, tenant.id)

    def platform_admin(
        self, email: str = "root@workbay.example.com", role: str = "owner", enrolled: bool = True
    ) -> Ref:
        """A platform admin (an owner of the platform unless `role` says "support").

        `enrolled`: their second factor is set up already, with ADMIN_TOTP_SECRET (else the first login enrols it).
        """
        with self.app.test_request_context():
            admin = create_admin(email, "Root", PASSWORD, role)
            if enrolled:
                admin.totp_secret, admin.totp_enrolled_at = ADMIN_TOTP_SECRET, utcnow()
            db.session.commit()
            return Ref(admin.id, email=admin.email)


SECOND_FACTOR_PATH = "/login/second-factor"


def log_in(client, email: str, password: str = PASSWORD):
    """Log `client` in on its host (shop or console) through the real forms.

    On the console the password leads to the second factor, answered with a code of ADMIN_TOTP_SECRET.
    """
    response = client.post("/login", data={"email": email, "password": password}, follow_redirects=False)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if urlsplit(response.headers["Location"]).path == SECOND_FACTOR_PATH:
        response = client.post(
            SECOND_FACTOR_PATH, data={"code": fresh_totp_code(client, email)}, follow_redirects=False
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def fresh_totp_code(client, email: str, secret: str = ADMIN_TOTP_SECRET) -> str:
    """A code of `secret` the console accepts now for the admin `email`.

    A code is accepted only once (the admin's last accepted time step is kept), so a second login within
    the same 30 seconds takes the next step's code, which the console accepts as clock drift.
    """
    with client.application.app_context():
        last = db.session.scalar(select(PlatformAdmin.totp_last_step).where(PlatformAdmin.email == email.lower()))
    step = int(time.time() // 30)
    if last is not None and last >= step:
        step = last + 1
    return pyotp.TOTP(secret).at(step * 30)
