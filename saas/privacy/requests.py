"""Privacy requests from a shop's customers: made on the privacy center, confirmed by a mailed link,
matched to the shop's customers, then worked by kind.

1. `submit_request`: anyone may ask with an e-mail address. Nothing is looked up: a signed,
   expiring link goes to that address whether or not the shop knows it, so the answer (page,
   mail, timing) never tells who is a customer.
2. `request_for_link` + `verify_request`: the link proves the person reads that mailbox. Each
   request has its own link (a secret whose digest the request keeps), so an earlier confirmed
   request never confirms a new one. Confirmed, the request is matched to the shop's customers
   with that address (none is fine: staff see "no matching customer") and joins the queue.
3. `KIND_WORK`: what each kind does by itself once confirmed (marketing stops at once, a
   restriction or objection is flagged on the customer) and which part of the request page
   staff work it in (privacy/requests/work/<kind>.html). Access and erasure are answered by
   staff for now; their tools plug in here.

Services flush and never commit; the request layer commits once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from sqlalchemy import func, select

from saas.auth.tokens import InvalidToken, hash_random_token, make_token, read_token
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.sequences import next_number
from saas.core.tenancy import active_tenant, active_tenant_id
from saas.customers.models import Customer
from saas.customers.services import set_marketing_consent, set_processing_limit
from saas.privacy import request_mail
from saas.privacy.deadlines import due_on, local_date
from saas.privacy.request_models import (
    PrivacyRequest,
    PrivacyRequestCustomer,
    RequestKind,
    RequestStatus,
)
from saas.privacy.request_settings import shop_jurisdiction
from saas.privacy.request_workflow import LIMIT_OF_KIND, RequestError, clean_text, complete_request, record_event
from saas.shop.periods import zone_of

TOKEN_PURPOSE = "privacy-request"
DETAILS_MAX = 2000
# An address with this many unconfirmed requests whose links still work gets no further mail
# (the page says the same as always): the center cannot be used to flood someone's mailbox.
MAX_UNCONFIRMED_PER_ADDRESS = 3
# Checks a link's signature whatever its age, so "expired" and "tampered" are told apart.
_ANY_AGE = 100 * 365 * 24 * 3600
CONSENT_SOURCE = "privacy request"


class RequestLinkError(ServiceError):
    """A confirmation link that cannot be used: `reason` "invalid" (404: broken, another shop's) or "expired" (410)."""

    STATUSES = {"invalid": 404, "expired": 410}

    def __init__(self, reason: str):
        super().__init__(f"This confirmation link is {reason}.", status=self.STATUSES[reason])
        self.reason = reason


# --- 1. asking ------------------------------------------------------------------------------


def link_hours() -> int:
    """How long a confirmation link works, in hours (setting PRIVACY_REQUEST_LINK_HOURS, default 48)."""
    return int(current_app.config["PRIVACY_REQUEST_LINK_HOURS"])


def normalize_address(email: str | None) -> str:
    """The address as customers' are stored (trimmed, lower-cased); refused when it is not an address."""
    address = (email or "").strip().lower()
    if "\x00" in address or len(address) > 254:
        raise RequestError("Enter your e-mail address, like name@example.com.", field="email")
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise RequestError("Enter your e-mail address, like name@example.com.", field="email") from None
    return address


def submit_request(kind: str, email: str | None, details: str | None, now: datetime | None = None) -> None:
    """Record a request and mail its confirmation link to `email`; the same for every address.

    Refused (400) only for input that is not a request: an unknown kind, a malformed address,
    details too long or unstorable.
    """
    if kind not in set(RequestKind):
        raise RequestError("Choose what you would like us to do.", field="kind")
    address = normalize_address(email)
    details = clean_text(details, DETAILS_MAX, "details")
    now = now or utcnow()
    if _unconfirmed_count(address, now) >= MAX_UNCONFIRMED_PER_ADDRESS:
        return
    jurisdiction = shop_jurisdiction()
    received_on = local_date(now, zone_of(active_tenant()))
    secret = secrets.token_urlsafe(16)
    request = PrivacyRequest(
        number=next_number("privacy_request"),
        kind=kind,
        email=address,
        details=details,
        status=RequestStatus.RECEIVED,
        jurisdiction=jurisdiction,
        received_at=now,
        received_on=received_on,
        due_on=due_on(received_on, jurisdiction),
        verification_digest=hash_random_token(secret),
    )
    db.session.add(request)
    db.session.flush()
    record_event(request, "received", "Made on the privacy center; confirmation link sent.", at=now)
    request_mail.mail_verification(request, _link(request, secret), link_hours())


def _unconfirmed_count(address: str, now: datetime) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(PrivacyRequest)
        .where(
            PrivacyRequest.email == address,
            PrivacyRequest.status == RequestStatus.RECEIVED,
            PrivacyRequest.received_at > now - timedelta(hours=link_hours()),
        )
    )


def _link(request: PrivacyRequest, secret: str) -> str:
    token = make_token(TOKEN_PURPOSE, {"t": request.tenant_id, "r": request.id, "k": secret})
    return url_for("privacy_center.confirm", shop=active_tenant().subdomain, token=token, _external=True)


# --- 2. confirming --------------------------------------------------------------------------


def request_for_link(token: str) -> PrivacyRequest:
    """The current shop's request a confirmation link was made for; RequestLinkError when it cannot be used."""
    try:
        payload = read_token(TOKEN_PURPOSE, token, _ANY_AGE)
    except InvalidToken:
        raise RequestLinkError("invalid") from None
    request_id, secret = payload.get("r"), payload.get("k")
    if payload.get("t") != active_tenant_id() or not isinstance(request_id, int) or not isinstance(secret, str):
        raise RequestLinkError("invalid")
    request = db.session.scalar(select(PrivacyRequest).where(PrivacyRequest.id == request_id))
    if request is None or not secrets.compare_digest(request.verification_digest, hash_random_token(secret)):
        raise RequestLinkError("invalid")
    try:
        read_token(TOKEN_PURPOSE, token, link_hours() * 3600)
    except InvalidToken:
        if request.status == RequestStatus.RECEIVED:
            raise RequestLinkError("expired") from None
    return request


def verify_request(request: PrivacyRequest) -> None:
    """The requester followed the link: match the shop's customers, do what the kind does at once, tell the owners.

    A request that is confirmed already stays as it is (the link may be followed twice).
    """
    db.session.scalar(  # reloads `request` locked: a link followed twice at once confirms it once
        select(PrivacyRequest)
        .where(PrivacyRequest.id == request.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if request.status != RequestStatus.RECEIVED:
        return
    request.status = RequestStatus.VERIFIED
    request.verified_at = utcnow()
    customers = db.session.scalars(
        select(Customer)
        .where(Customer.email == request.email, Customer.anonymized_at.is_(None))  # stored lower-cased
        .order_by(Customer.id)
    ).all()
    matches = [Match(PrivacyRequestCustomer(request_id=request.id, customer_id=c.id), c) for c in customers]
    db.session.add_all([match.link for match in matches])
    db.session.flush()
    names = ", ".join(customer.name for customer in customers)
    record_event(
        request,
        "verified",
        f"Confirmed by the link. Matched: {names}." if customers else "Confirmed by the link. No matching customer.",
    )
    work = work_for(request.kind) or KindWork("")
    if work.on_verified is not None:
        work.on_verified(request, matches)
    if work.answers_itself:
        complete_request(request, None, work.answer)
    else:
        request_mail.mail_acknowledgement(request)
    request_mail.mail_owners_new_request(request, len(customers))


# --- 3. what each kind does -----------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """A customer the request was matched to, with the row linking them."""

    link: PrivacyRequestCustomer
    customer: Customer


def _stop_marketing(request: PrivacyRequest, matches: list[Match]) -> None:
    for match in matches:
        if match.customer.marketing_consent:
            set_marketing_consent(match.customer, False, CONSENT_SOURCE)
            record_event(request, "marketing_withdrawn", f"{match.customer.name}: marketing consent withdrawn.")


def _limit_processing(request: PrivacyRequest, matches: list[Match]) -> None:
    limit = LIMIT_OF_KIND[RequestKind(request.kind)]
    for match in matches:
        if set_processing_limit(match.customer, limit, True):
            match.link.limit_set_at = utcnow()
            record_event(request, "limit_set", f"{match.customer.name}: {limit} recorded; no reminders or marketing.")
    db.session.flush()


@dataclass(frozen=True)
class KindWork:
    """What a kind of request does by itself once confirmed, and where staff work it.

    `on_verified(request, matches)` runs at confirmation; `answers_itself` completes the request
    right after it with `answer`; `template` is the request page's section for this kind.
    """

    template: str
    on_verified: Callable[[PrivacyRequest, list[Match]], None] | None = None
    answers_itself: bool = False
    answer: str = ""


def _work(kind: RequestKind, **details) -> KindWork:
    return KindWork(f"privacy/requests/work/{kind.value}.html", **details)


KIND_WORK: dict[RequestKind, KindWork] = {
    RequestKind.ACCESS: _work(RequestKind.ACCESS),
    RequestKind.CORRECTION: _work(RequestKind.CORRECTION),
    RequestKind.ERASURE: _work(RequestKind.ERASURE),
    RequestKind.RESTRICTION: _work(RequestKind.RESTRICTION, on_verified=_limit_processing),
    RequestKind.OBJECTION: _work(RequestKind.OBJECTION, on_verified=_limit_processing),
    RequestKind.WITHDRAW_CONSENT: _work(RequestKind.WITHDRAW_CONSENT, on_verified=_stop_marketing),
    RequestKind.MARKETING_OPT_OUT: _work(
        RequestKind.MARKETING_OPT_OUT,
        on_verified=_stop_marketing,
        answers_itself=True,
        answer="Done at once: we will not send you marketing. Messages about your own repairs and "
        "appointments still reach you.",
    ),
}


def work_for(kind: str) -> KindWork | None:
    """The work of a kind of request (None for a kind this version does not know)."""
    return KIND_WORK.get(kind)
