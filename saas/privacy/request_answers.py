"""Answering access and erasure requests with the product's own tools.

* Access: staff prepare the export of every customer record the request matched (`prepare_export`);
  when the job has built the archive, the requester is mailed the expiring download link and the
  request is completed (`_export_ready`).
* Erasure: staff erase every matched customer (`erase_matched`); the request is completed with the
  answer the law asks for: what was erased, what is kept and why.
"""

from __future__ import annotations

from sqlalchemy import select

from saas.core.extensions import db
from saas.privacy import erasure, exports, request_mail
from saas.privacy.request_models import PrivacyRequest, RequestKind, RequestStatus
from saas.privacy.request_workflow import RequestError, check_open, close, record_event

KIND_NAMES = {RequestKind.ACCESS: "access", RequestKind.ERASURE: "erasure"}


def _customers_to_answer(request: PrivacyRequest, kind: RequestKind) -> list:
    if request.kind != kind:
        raise RequestError(f"This tool answers {KIND_NAMES[kind]} requests, and this one is not.", status=409)
    check_open(request)
    customers = [match.customer for match in request.matches if match.customer is not None]
    customers = [customer for customer in customers if customer.anonymized_at is None]
    if not customers:
        raise RequestError("No customer record matches this request: answer it with a note instead.", status=409)
    return customers


def _in_progress(request: PrivacyRequest, user) -> None:
    if request.status == RequestStatus.VERIFIED:
        request.status = RequestStatus.IN_PROGRESS
        record_event(request, "started", user=user)


def prepare_export(request: PrivacyRequest, user) -> exports.DataExport:
    """Start the export of the matched customers' data; the requester gets its link when it is built."""
    customers = _customers_to_answer(request, RequestKind.ACCESS)
    export = exports.start_export(customers, user=user, request_id=request.id)
    _in_progress(request, user)
    record_event(request, "export_started", f"Export of {len(customers)} customer record(s) is being prepared.", user)
    return export


def exports_of(request: PrivacyRequest) -> list[exports.DataExport]:
    """The exports made for a request, newest first."""
    return list(
        db.session.scalars(
            select(exports.DataExport)
            .where(exports.DataExport.request_id == request.id)
            .order_by(exports.DataExport.created_at.desc(), exports.DataExport.id.desc())
        )
    )


@exports.export_ready.connect
def _export_ready(export: exports.DataExport, **details) -> None:
    """An access request's archive is built: mail its link to the requester and complete the request."""
    if export.request_id is None:
        return
    request = db.session.scalar(select(PrivacyRequest).where(PrivacyRequest.id == export.request_id))
    if request is None or not request.is_open:
        return
    link = exports.download_link(export, external=True)
    record_event(request, "export_sent", f"Download link mailed; it works until {export.expires_at:%d %b %Y}.")
    close(
        request,
        RequestStatus.COMPLETED,
        f"Your data is ready to download until {export.expires_at:%d %b %Y} (the link is in this e-mail).",
        None,
    )
    request_mail.mail_export_ready(request, link, export.expires_at)


def erase_matched(request: PrivacyRequest, user) -> list[erasure.ErasureRecord]:
    """Erase every matched customer, complete the request and tell the requester what went and what stays."""
    customers = _customers_to_answer(request, RequestKind.ERASURE)
    _in_progress(request, user)
    records = [erasure.erase(customer, user=user, request_id=request.id) for customer in customers]
    record_event(request, "erased", f"{len(records)} customer record(s) erased.", user)
    close(request, RequestStatus.COMPLETED, answer_of(records), user)
    request_mail.mail_completion(request)
    return records


def answer_of(records: list[erasure.ErasureRecord]) -> str:
    """The erasure's answer in words: what was erased, what is kept and why."""
    erased = [f"- {note['area']}: {note['erased']}" for record in records for note in record.notes if note["erased"]]
    kept = [f"- {note['area']}: {note['kept']}" for record in records for note in record.notes if note["kept"]]
    lines = ["Your personal data was erased:", *erased]
    if kept:
        lines += ["", "What we must keep, and why:", *kept]
    return "\n".join(lines)


def erasures_of(request: PrivacyRequest) -> list[erasure.ErasureRecord]:
    """The erasures made for a request."""
    return list(db.session.scalars(select(erasure.ErasureRecord).where(erasure.ErasureRecord.request_id == request.id)))
