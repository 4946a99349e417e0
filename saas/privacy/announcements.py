"""Announcing a material change of a shop's privacy policy, and asking for marketing consent again.

Publishing a material version queues one job for the shop (`privacy.announce_policy`). Each job
mails the next batch (POLICY_MAIL_BATCH_SIZE) of customers who agreed to marketing before that
version was published and have an e-mail address; for each it keeps the consent's date and source
in a `MarketingReconfirmation` and sets the customer's marketing consent aside (the customer
record then shows none, so nothing sends them offers) until they re-confirm through the signed
link in the mail. A full batch queues the next job; the last one marks the version notified.
Jobs of one shop share a lock, so two announcements never interleave.
"""

from __future__ import annotations

import logging
import secrets

from flask import current_app, url_for
from sqlalchemy import or_, select

from saas.auth.tokens import InvalidToken, make_token, read_token
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.mail import send_mail
from saas.core.tasks.queue import Job, enqueue
from saas.core.tasks.registry import task
from saas.core.tasks.shops import run_as_shop
from saas.core.tenancy import active_tenant, active_tenant_id
from saas.customers.models import Customer
from saas.customers.services import set_marketing_consent
from saas.privacy.shop_models import MarketingReconfirmation, ReconfirmationAnswer, ShopPolicyVersion
from saas.privacy.shop_settings import marketing_age

log = logging.getLogger(__name__)

ANNOUNCE_TASK = "privacy.announce_policy"
TOKEN_PURPOSE = "marketing-reconfirm"
_ANY_AGE = 100 * 365 * 24 * 3600  # to tell an expired link from a forged one


class ReconfirmLinkError(ServiceError):
    """A re-confirmation link that cannot be used: "invalid" (404) or "expired" (410)."""

    STATUSES = {"invalid": 404, "expired": 410}
    MESSAGES = {
        "invalid": "This link is not valid. Please use the link from the e-mail exactly as it was sent.",
        "expired": "This link has expired. To receive offers again, ask the shop; it can record your answer.",
    }

    def __init__(self, reason: str):
        super().__init__(self.MESSAGES[reason], status=self.STATUSES[reason])
        self.reason = reason


# --- the jobs -------------------------------------------------------------------------------


def announcement_job(tenant_id: int, version_id: int) -> Job:
    """The job that mails the next batch of one shop's announcement (one shop's jobs never overlap)."""
    return Job(ANNOUNCE_TASK, {"tenant_id": tenant_id, "version_id": version_id}, lock=f"{ANNOUNCE_TASK}:{tenant_id}")


def queue_announcement(version: ShopPolicyVersion) -> None:
    """Queue the announcement of `version` with the current transaction (it starts once that commits)."""
    enqueue(db.session.connection(), [announcement_job(version.tenant_id, version.id)])


def batch_size() -> int:
    return max(1, int(current_app.config.get("POLICY_MAIL_BATCH_SIZE") or 100))


def link_max_age() -> int:
    """How long a re-confirmation link works, in seconds (POLICY_RECONFIRM_DAYS)."""
    return int(current_app.config.get("POLICY_RECONFIRM_DAYS") or 60) * 24 * 3600


@task(ANNOUNCE_TASK)
def announce_policy(tenant_id: int, version_id: int) -> int:
    """Mail one batch of a shop's announcement, as that shop; returns how many were mailed."""
    mailed = run_as_shop(tenant_id, lambda: announce_next_batch(version_id))
    log.info("policy announcement of shop %s, version id %s: %d mailed", tenant_id, version_id, mailed)
    return mailed


def announce_next_batch(version_id: int) -> int:
    """Mail the next batch of customers about material version `version_id` (of the current shop)."""
    version = db.session.scalar(select(ShopPolicyVersion).where(ShopPolicyVersion.id == version_id).with_for_update())
    if version is None or not version.material or version.notified_at is not None:
        return 0
    size = batch_size()
    customers = db.session.scalars(
        select(Customer)
        .where(
            Customer.marketing_consent.is_(True),
            Customer.email.is_not(None),
            Customer.anonymized_at.is_(None),
            or_(Customer.marketing_consent_at.is_(None), Customer.marketing_consent_at < version.published_at),
        )
        .order_by(Customer.id)
        .limit(size)
        .with_for_update()
    ).all()
    shop = active_tenant()
    for customer in customers:
        request = MarketingReconfirmation(
            customer_id=customer.id,
            policy_version_id=version.id,
            consent_given_at=customer.marketing_consent_at,
            consent_source=customer.marketing_consent_source,
            requested_at=utcnow(),
        )
        db.session.add(request)
        db.session.flush()
        set_marketing_consent(customer, False)
        _mail(shop, customer, version, request)
    if len(customers) == size:
        enqueue(db.session.connection(), [announcement_job(version.tenant_id, version.id)])
    else:
        version.notified_at = utcnow()
    db.session.flush()
    return len(customers)


def _mail(shop, customer: Customer, version: ShopPolicyVersion, request: MarketingReconfirmation) -> None:
    send_mail(
        customer.email,
        f"{shop.name} has updated its privacy policy",
        "privacy/email/policy_changed",
        shop=shop,
        name=customer.name,
        version=version,
        policy_url=url_for("shop_policy.show", shop=shop.subdomain, _external=True),
        reconfirm_url=url_for(
            "shop_policy.reconfirm", shop=shop.subdomain, token=reconfirm_token(request), _external=True
        ),
        days=link_max_age() // (24 * 3600),
    )


# --- the customer's answer ------------------------------------------------------------------


def reconfirm_token(request: MarketingReconfirmation) -> str:
    """A signed link token naming the shop and the re-confirmation request."""
    return make_token(TOKEN_PURPOSE, {"t": request.tenant_id, "r": request.id, "n": secrets.token_urlsafe(6)})


def request_for_link(token: str) -> MarketingReconfirmation:
    """The request a link names, in the current shop; ReconfirmLinkError when forged, another shop's,
    for a customer since erased or deleted ("invalid"), or older than POLICY_RECONFIRM_DAYS ("expired")."""
    try:
        payload = read_token(TOKEN_PURPOSE, token, _ANY_AGE)
    except InvalidToken:
        raise ReconfirmLinkError("invalid") from None
    request_id = payload.get("r")
    if payload.get("t") != active_tenant_id() or not isinstance(request_id, int) or isinstance(request_id, bool):
        raise ReconfirmLinkError("invalid")
    request = db.session.scalar(select(MarketingReconfirmation).where(MarketingReconfirmation.id == request_id))
    if request is None or request.customer is None or request.customer.anonymized_at is not None:
        raise ReconfirmLinkError("invalid")
    try:
        read_token(TOKEN_PURPOSE, token, link_max_age())
    except InvalidToken:
        raise ReconfirmLinkError("expired") from None
    return request


class ReconfirmError(ServiceError):
    """An answer that cannot be taken as it is; `field` names the form field."""


def answer(request: MarketingReconfirmation, *, confirmed: bool, age_confirmed: bool, version_number: int) -> None:
    """Record the customer's answer: a yes gives marketing consent anew (under the current policy),
    a no leaves it withdrawn (and withdraws a yes given earlier through the same link).

    A yes needs the person to confirm they are old enough to consent on their own (saas.privacy.age).
    """
    if confirmed and not age_confirmed:
        raise ReconfirmError(
            f"Please confirm that you are at least {marketing_age()}. For someone younger, a parent or "
            "guardian decides: please ask the shop.",
            field="age_confirmed",
        )
    customer = db.session.scalar(select(Customer).where(Customer.id == request.customer_id).with_for_update())
    if confirmed:
        set_marketing_consent(customer, False)  # a fresh record of when and how, even after an earlier yes
        set_marketing_consent(customer, True, f"re-confirmed by e-mail link (policy v{version_number})")
        request.answer = ReconfirmationAnswer.CONFIRMED
    else:
        set_marketing_consent(customer, False)
        request.answer = ReconfirmationAnswer.DECLINED
    request.answered_at = utcnow()
    db.session.flush()
