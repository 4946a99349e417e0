"""Signing up a shop: the tenant, its owner, the accepted policies, the trial.

Services flush and never commit: the request layer (or the CLI command) commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from saas.auth import services as auth
from saas.auth.models import User
from saas.auth.roles import Role
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.tenancy import activate_tenant
from saas.core.tenant import Tenant, TenantStatus
from saas.privacy.services import record_signup_acceptances

SUBDOMAIN_CONSTRAINT = "uq_tenants_subdomain"
UNIQUE_VIOLATION = "23505"


class SignupError(ServiceError):
    """A signup that cannot go through; the message is safe to show."""


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
    """Add a shop in its trial period (the subdomain must already be checked).

    Someone may take the subdomain between that check and this insert: the database refuses the
    second shop (its unique constraint), and that is a `SignupError` under the subdomain field.
    """
    tenant = Tenant(
        name=name.strip(),
        subdomain=subdomain,
        country=country.upper(),
        status=TenantStatus.TRIALING,
        trial_ends_at=utcnow() + timedelta(days=current_app.config["TRIAL_DAYS"]),
    )
    db.session.flush()
    try:
        with db.session.begin_nested():
            db.session.add(tenant)
    except IntegrityError as error:
        if _is_taken_subdomain(error):
            raise SignupError("This name was just taken. Please pick another.", field="subdomain") from None
        raise
    return tenant


def _is_taken_subdomain(error: IntegrityError) -> bool:
    original = error.orig
    diag = getattr(original, "diag", None)
    return (
        getattr(original, "sqlstate", None) == UNIQUE_VIOLATION
        and getattr(diag, "constraint_name", None) == SUBDOMAIN_CONSTRAINT
    )


def sign_up(request: SignupRequest) -> tuple[Tenant, User]:
    """Create the shop and its owner, record the accepted policies, send the verification mail.

    The session stays scoped to the new tenant afterwards. Raises `SignupError` when the
    subdomain was taken meanwhile.
    """
    tenant = create_tenant(request.shop_name, request.subdomain, request.country)
    activate_tenant(tenant.id)
    owner = auth.create_user(request.email, request.owner_name, request.password, Role.OWNER)
    record_signup_acceptances(owner, request.ip_address)
    auth.send_verification_email(owner)
    return tenant, owner
