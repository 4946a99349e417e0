"""The e-mails of a privacy request: to the requester (confirm, received, extended, answered)
and to the shop's owners (a new request, deadlines close or passed).

Mail is queued with the request's (or job's) transaction and leaves with its commit
(saas.core.mail). Templates live in privacy/requests/email/.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import url_for

from saas.auth.services import active_owners
from saas.core.mail import send_mail
from saas.core.tenancy import active_tenant
from saas.privacy.deadlines import Jurisdiction
from saas.privacy.request_models import PrivacyRequest

TEMPLATES = "privacy/requests/email"


def _requester(request: PrivacyRequest, template: str, subject: str, **context) -> None:
    shop = active_tenant()
    send_mail(
        request.email,
        f"{subject} – {shop.name}",
        f"{TEMPLATES}/{template}",
        shop=shop,
        privacy_request=request,
        center_url=url_for("privacy_center.index", shop=shop.subdomain, _external=True),
        **context,
    )


def mail_verification(request: PrivacyRequest, link: str, hours: int) -> None:
    """The link that confirms the request: nothing is disclosed or done before it is followed."""
    _requester(request, "verify", "Please confirm your privacy request", link=link, hours=hours)


def mail_acknowledgement(request: PrivacyRequest) -> None:
    """The request is confirmed and with the shop, which answers by its due date."""
    _requester(request, "acknowledged", f"We have your privacy request #{request.number}")


def mail_extension(request: PrivacyRequest) -> None:
    """The shop needs more time: the new date and why."""
    _requester(request, "extended", f"Your privacy request #{request.number} needs more time")


def mail_completion(request: PrivacyRequest) -> None:
    """The request is done, with the shop's note of what was done."""
    _requester(request, "completed", f"Your privacy request #{request.number} is done")


def mail_export_ready(request: PrivacyRequest, link: str, expires_at: datetime) -> None:
    """An access request's answer: the link to the person's data, and until when it works."""
    _requester(
        request, "export_ready", f"Your data from request #{request.number} is ready", link=link, until=expires_at
    )


def mail_refusal(request: PrivacyRequest) -> None:
    """The shop refuses, with its reason and where the person may complain."""
    _requester(
        request,
        "refused",
        f"About your privacy request #{request.number}",
        californian=request.jurisdiction == Jurisdiction.CCPA,
    )


def _owners(subject: str, template: str, **context) -> None:
    shop = active_tenant()
    for owner in active_owners():
        send_mail(owner.email, f"{subject} – {shop.name}", f"{TEMPLATES}/{template}", owner=owner, shop=shop, **context)


def mail_owners_new_request(request: PrivacyRequest, matched: int) -> None:
    """A confirmed request entered the queue."""
    link = url_for("privacy_requests.show", shop=active_tenant().subdomain, request_id=request.id, _external=True)
    _owners(
        f"New privacy request #{request.number}", "new_request", privacy_request=request, matched=matched, link=link
    )


def mail_owners_deadlines(requests: list[PrivacyRequest], today: date) -> None:
    """The daily reminder: open requests whose deadline is close or has passed."""
    link = url_for("privacy_requests.index", shop=active_tenant().subdomain, urgent=1, _external=True)
    overdue = sum(1 for request in requests if request.due_on < today)
    subject = f"{len(requests)} privacy request{'s' if len(requests) > 1 else ''} due soon"
    if overdue:
        subject = f"{overdue} privacy request{'s' if overdue > 1 else ''} overdue"
    _owners(subject, "deadlines", due_requests=requests, today=today, link=link)
