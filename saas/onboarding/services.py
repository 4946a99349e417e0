"""Signing up a shop: the tenant, its owner, the accepted policies, the trial."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from saas.auth import services as auth
from saas.auth.models import User
from saas.auth.roles import Role
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import activate_tenant
from saas.core.tenant import Tenant, TenantStatus
from saas.privacy.services import record_signup_acceptances


@dataclass(frozen=True)
class SignupRequest:
    """What the signup form collects."""

    shop_name: str
    subdomain: str
    owner_name: str
    email: str
    password: str
    country: str
    ip_address: str | None = None


def create_tenant(name: str, subdomain: str, country: str) -> Tenant:
    """Add a shop in its trial period (the subdomain must already be checked)."""
    tenant = Tenant(
        name=name.strip(),
        subdomain=subdomain,
        country=country.upper(),
        status=TenantStatus.TRIALING,
        trial_ends_at=utcnow() + timedelta(days=current_app.config["TRIAL_DAYS"]),
    )
    db.session.add(tenant)
    db.session.flush()
    return tenant


def sign_up(request: SignupRequest) -> tuple[Tenant, User]:
    """Create the shop and its owner, record the accepted policies, send the verification mail.

    The session stays scoped to the new tenant afterwards; the caller commits.
    """
    tenant = create_tenant(request.shop_name, request.subdomain, request.country)
    activate_tenant(tenant.id)
    owner = auth.create_user(request.email, request.owner_name, request.password, Role.OWNER)
    record_signup_acceptances(owner, request.ip_address)
    auth.send_verification_email(owner)
    return tenant, owner
