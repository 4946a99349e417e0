"""Recording consent to our policies."""

from __future__ import annotations

from saas.core.extensions import db
from saas.privacy.models import PolicyAcceptance
from saas.privacy.policies import PRIVACY, TERMS, PolicyDocument


def record_acceptance(user, document: PolicyDocument, ip_address: str | None) -> PolicyAcceptance:
    """Keep proof that `user` accepted `document` at its current version, now, from `ip_address`."""
    acceptance = PolicyAcceptance(
        user_id=user.id, document=document.key, version=document.version, ip_address=ip_address
    )
    db.session.add(acceptance)
    return acceptance


def record_signup_acceptances(user, ip_address: str | None) -> None:
    """At signup the owner accepts both the terms and the privacy policy."""
    for document in (TERMS, PRIVACY):
        record_acceptance(user, document, ip_address)
