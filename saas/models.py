"""Imports every feature's models so the metadata (migrations, tests) sees all tables."""

from saas.auth.models import Invitation, User
from saas.onboarding.models import Tenant
from saas.platform.models import PlatformAdmin, PlatformAuditEntry
from saas.privacy.models import PolicyAcceptance
from saas.shop.models import Customer

__all__ = ["Customer", "Invitation", "PlatformAdmin", "PlatformAuditEntry", "PolicyAcceptance", "Tenant", "User"]
