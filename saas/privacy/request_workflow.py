"""Staff work a privacy request: mark it in progress, extend it, complete or refuse it, correct
a customer's details from it. Every step is an event of the request's history; the requester
is mailed where the law says to tell them (an extension with its reason, the answer).

Services flush and never commit; the request layer commits once.
"""

from __future__ import annotations

from datetime import date, datetime

from saas.audit.services import log_access
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.customers.models import Customer
from saas.customers.services import save_customer, set_processing_limit
from saas.privacy import request_mail
from saas.privacy.deadlines import extensions, may_extend
from saas.privacy.request_models import PrivacyRequest, PrivacyRequestEvent, RequestKind, RequestStatus

NOTE_MAX = 5000
# The kinds whose verification limits processing, and the limit each sets (customers.services).
LIMIT_OF_KIND = {RequestKind.RESTRICTION: "restriction", RequestKind.OBJECTION: "objection"}
CORRECTABLE = {"name": "name", "email": "e-mail", "phone": "phone", "address": "address"}


class RequestError(ServiceError):
    """A step the request cannot take (the message says why; `field` names the form field)."""


def clean_text(value: str | None, limit: int, field: str, *, required: str | None = None) -> str:
    """`value` trimmed; refused when longer than `limit`, holding a NUL character, or empty and `required`."""
    value = (value or "").strip()
    if "\x00" in value:
        raise RequestError("This text holds a character we cannot store. Please type it again.", field=field)
    if len(value) > limit:
        raise RequestError(f"Please keep this under {limit} characters.", field=field)
    if required and not value:
        raise RequestError(required, field=field)
    return value


def record_event(
    request: PrivacyRequest, action: str, detail: str = "", user=None, at: datetime | None = None
) -> PrivacyRequestEvent:
    """Add a step to the request's history (`at`, default now): `user` (staff) or, when None, the requester or the system."""
    event = PrivacyRequestEvent(
        request_id=request.id,
        user_id=user.id if user else None,
        action=action,
        detail=detail,
        created_at=at or utcnow(),
    )
    db.session.add(event)
    db.session.flush()
    return event


def check_open(request: PrivacyRequest) -> None:
    if not request.is_open:
        state = "not confirmed yet" if request.status == RequestStatus.RECEIVED else request.status_label.lower()
        raise RequestError(f"Request #{request.number} is {state}; it cannot be changed now.", status=409)


def start_work(request: PrivacyRequest, user) -> None:
    """A new request is being worked on."""
    if request.status != RequestStatus.VERIFIED:
        raise RequestError("Only a new request can be marked in progress.", status=409)
    request.status = RequestStatus.IN_PROGRESS
    record_event(request, "started", user=user)


def extend_request(request: PrivacyRequest, user, choice: str, reason: str | None, today: date) -> None:
    """Move the deadline by what the law allows (`choice`, one of `deadlines.extensions`) and tell the requester why.

    Once per request, decided on the due day at the latest.
    """
    check_open(request)
    if request.extended_at is not None:
        raise RequestError("This request was extended already; the law allows one extension.", status=409)
    if not may_extend(request.due_on, today):
        raise RequestError("The deadline has passed: an extension must be decided before it.", status=409)
    reason = clean_text(reason, NOTE_MAX, "reason", required="Say why you need more time; the requester is told.")
    allowed = {
        extension.key: extension for extension in extensions(request.received_on, request.due_on, request.jurisdiction)
    }
    if choice not in allowed:
        raise RequestError("Choose one of the extensions offered.", field="extension")
    previous = request.due_on
    request.due_on = allowed[choice].due_on
    request.status = RequestStatus.EXTENDED
    request.extended_at = utcnow()
    request.extension_reason = reason
    record_event(request, "extended", f"Due {previous:%d %b %Y} → {request.due_on:%d %b %Y}. {reason}", user)
    request_mail.mail_extension(request)


def complete_request(request: PrivacyRequest, user, note: str | None) -> None:
    """The request is done; the requester is mailed the note (what was done)."""
    check_open(request)
    note = clean_text(note, NOTE_MAX, "note", required="Say what was done; the requester reads it.")
    close(request, RequestStatus.COMPLETED, note, user)
    request_mail.mail_completion(request)


def refuse_request(request: PrivacyRequest, user, reason: str | None) -> None:
    """Refuse, with a reason the requester reads beside their right to complain.

    A restriction or objection this request set on customers is lifted: it no longer stands.
    """
    check_open(request)
    reason = clean_text(reason, NOTE_MAX, "note", required="Give the reason; the requester must be told why.")
    limit = LIMIT_OF_KIND.get(request.kind)
    for match in request.matches:
        if limit and match.limit_set_at is not None and match.customer is not None:
            set_processing_limit(match.customer, limit, False)
            match.limit_set_at = None
            record_event(request, "limit_lifted", f"{match.customer.name}: the {limit} is lifted.", user)
    close(request, RequestStatus.REFUSED, reason, user)
    request_mail.mail_refusal(request)


def close(request: PrivacyRequest, status: RequestStatus, text: str, user) -> None:
    request.status = status
    request.closed_at = utcnow()
    request.resolution = text
    record_event(request, status.value, text, user)


def check_correctable(request: PrivacyRequest) -> None:
    """Refuse (409) unless `request` is an open correction request."""
    if request.kind != RequestKind.CORRECTION:
        raise RequestError("Only a correction request changes a customer's details.", status=409)
    check_open(request)


def correct_customer(request: PrivacyRequest, customer: Customer, user, **details: str | None) -> list[str]:
    """Change a matched customer's `name`, `email`, `phone`, `address` as a correction request asks.

    Goes through the customers' own rules (`save_customer`); the change is an event of the
    request and an entry of the access log. Returns what changed (empty when nothing did).
    """
    check_correctable(request)
    if customer.id not in {match.customer_id for match in request.matches}:
        raise RequestError("This customer is not part of the request.", status=404)
    before = {field: getattr(customer, field) for field in CORRECTABLE}
    save_customer(
        customer,
        name=details["name"],
        email=details["email"],
        phone=details["phone"],
        notes=customer.notes,
        address=details["address"] or "",
    )
    changed = [label for field, label in CORRECTABLE.items() if getattr(customer, field) != before[field]]
    if changed:
        record_event(request, "corrected", f"{customer.name}: {', '.join(changed)} corrected.", user)
        log_access("edit", "customer", customer.id, f"Corrected from privacy request #{request.number}")
    return changed
