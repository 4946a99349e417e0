"""Estimates approved online: the e-mailed link, the customer's signed answer, the staff's panel.

The flow: staff send the estimate (`send_estimate`), which e-mails the customer a signed,
expiring link to `/estimate/<token>` on the shop's host. The token names the shop, the work
order and the `estimate_version` it was made for; once prices change the version moves on
and the old link only says so. The customer approves or declines each job and types their
name (`record_decision`); the amounts are computed here from the current lines, never taken
from the form. Prices come from `estimate.py`, which also lists declined work for follow-up.

Services flush and never commit; the request layer commits once.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import select

from saas.auth.tokens import InvalidToken, make_token, read_token
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.mail import send_mail
from saas.core.tenancy import active_tenant, active_tenant_id, current_tenant
from saas.customers.models import Customer
from saas.workorders.estimate import jobs_with_lines, price_estimate, totals_of
from saas.workorders.models import (
    Approval,
    EstimateApproval,
    Job,
    Status,
    WorkOrder,
    WorkOrderEvent,
)
from saas.workorders.status import LOCKED

TOKEN_PURPOSE = "estimate-approval"
LINK_MAX_AGE_DAYS = 14
# Used to check a link's signature whatever its age, so "expired" and "tampered" are told apart.
_ANY_AGE = 100 * 365 * 24 * 3600
# Past these the estimate is history: the link shows it, but nothing can be decided any more.
DECISIONS = (Approval.APPROVED, Approval.DECLINED)
SIGNED_NAME_MAX = 120


class ApprovalError(ServiceError):
    """A rule of estimate approval was broken; the message is safe to show."""


class EstimateLinkError(ServiceError):
    """An estimate link that cannot be used: `reason` is "invalid" (404), "expired" (410) or "outdated" (409)."""

    STATUSES = {"invalid": 404, "expired": 410, "outdated": 409}

    def __init__(self, reason: str, work_order: WorkOrder | None = None):
        super().__init__(f"This estimate link is {reason}.", status=self.STATUSES[reason])
        self.reason = reason
        self.work_order = work_order


# --- sending ------------------------------------------------------------------------------


def link_max_age() -> int:
    """How long an estimate link works, in seconds (setting ESTIMATE_LINK_MAX_AGE, default 14 days)."""
    return int(current_app.config.get("ESTIMATE_LINK_MAX_AGE", LINK_MAX_AGE_DAYS * 24 * 3600))


def make_estimate_token(work_order: WorkOrder) -> str:
    """A signed token for the work order's current estimate version (each call gives a new one)."""
    payload = {
        "t": work_order.tenant_id,
        "w": work_order.id,
        "v": work_order.estimate_version,
        "n": secrets.token_urlsafe(6),  # every sending gets its own link
    }
    return make_token(TOKEN_PURPOSE, payload)


def estimate_link(work_order: WorkOrder) -> str:
    """The absolute URL of a fresh link to the estimate, on the shop's own host."""
    return url_for(
        "estimate_public.show", shop=current_tenant.subdomain, token=make_estimate_token(work_order), _external=True
    )


def send_problem(work_order: WorkOrder, customer: Customer | None, jobs: list[Job]) -> ApprovalError | None:
    """Why the estimate cannot be sent now (the error to raise or show); None when it can."""
    if work_order.status in LOCKED:
        return ApprovalError(
            f"This work order is {work_order.status_label.lower()}; its estimate can no longer be approved.", 409
        )
    if customer is None or not customer.email:
        return ApprovalError("Add an e-mail address to the customer's record to send the estimate.")
    if not jobs:
        return ApprovalError("Add at least one job before sending the estimate.")
    if all(job.approval != Approval.PENDING for job in jobs):
        return ApprovalError("The customer has answered every job. Add or change a job to ask again.", status=409)
    return None


def send_estimate(work_order: WorkOrder) -> str:
    """E-mail the customer a fresh link to approve the estimate; stamp `estimate_sent_at`.

    Returns the address it went to. Raises ApprovalError when there is no e-mail address,
    no job, no job left to decide, or the work order is already invoiced, closed or cancelled.
    """
    customer = db.session.scalar(select(Customer).where(Customer.id == work_order.customer_id))
    jobs = jobs_with_lines(work_order.id)
    problem = send_problem(work_order, customer, jobs)
    if problem is not None:
        raise problem
    shop = active_tenant()
    estimate = price_estimate(work_order, jobs)
    send_mail(
        customer.email,
        f"Your estimate from {shop.name} (work order #{work_order.number})",
        "workorders/estimate_request",
        shop=shop,
        customer=customer,
        work_order=work_order,
        asset=work_order.asset,
        estimate=estimate,
        link=estimate_link(work_order),
        days=link_max_age() // (24 * 3600),
    )
    work_order.estimate_sent_at = utcnow()
    db.session.flush()
    return customer.email


# --- the customer's link ------------------------------------------------------------------


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def work_order_of_link(token: str) -> WorkOrder | None:
    """The work order a usable estimate link names, or None (for what hangs off it, e.g. photos)."""
    try:
        return work_order_for_link(token)[0]
    except EstimateLinkError:
        return None


def work_order_for_link(token: str, *, lock: bool = False) -> tuple[WorkOrder, int]:
    """The work order and estimate version a link was made for, in the current shop.

    Raises EstimateLinkError: "invalid" (tampered, another shop's, unknown work order),
    "expired" (older than `link_max_age`), "outdated" (the estimate changed since).
    With `lock`, the work order row is locked until commit, so one answer wins.
    """
    try:
        payload = read_token(TOKEN_PURPOSE, token, _ANY_AGE)
    except InvalidToken:
        raise EstimateLinkError("invalid") from None
    work_order_id, version = _int(payload.get("w")), _int(payload.get("v"))
    if payload.get("t") != active_tenant_id() or work_order_id is None or version is None:
        raise EstimateLinkError("invalid")
    query = select(WorkOrder).where(WorkOrder.id == work_order_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    work_order = db.session.scalar(query)
    if work_order is None or version > work_order.estimate_version:
        raise EstimateLinkError("invalid")
    try:
        read_token(TOKEN_PURPOSE, token, link_max_age())
    except InvalidToken:
        raise EstimateLinkError("expired", work_order) from None
    if version < work_order.estimate_version:
        raise EstimateLinkError("outdated", work_order)
    return work_order, version


def approval_for_version(work_order: WorkOrder, version: int) -> EstimateApproval | None:
    """The customer's recorded answer to this version of the estimate, if any."""
    return db.session.scalar(
        select(EstimateApproval)
        .where(EstimateApproval.work_order_id == work_order.id, EstimateApproval.estimate_version == version)
        .order_by(EstimateApproval.created_at.desc(), EstimateApproval.id.desc())
        .limit(1)
    )


def approvals_of(work_order: WorkOrder) -> list[EstimateApproval]:
    """Every answer the customer gave for this work order, newest first."""
    return list(
        db.session.scalars(
            select(EstimateApproval)
            .where(EstimateApproval.work_order_id == work_order.id)
            .order_by(EstimateApproval.created_at.desc(), EstimateApproval.id.desc())
        )
    )


def clean_signed_name(value: str | None) -> str:
    """The typed name with surrounding and doubled spaces removed."""
    return " ".join((value or "").split())


def record_decision(
    work_order: WorkOrder,
    version: int,
    answers: Mapping[int, str],
    signed_name: str | None,
    *,
    ip_address: str | None,
    user_agent: str | None,
) -> EstimateApproval:
    """Record the customer's answer (approve or decline per pending job), signed with their name.

    `answers` maps job id to "approved" or "declined" (extra ids are ignored). The amounts
    are computed from the current lines. When a job is approved and the work order is still
    an estimate it moves to approved, with an event naming the signer. Raises ApprovalError
    (400: bad input, 409: already answered or no longer open); nothing is changed then.
    """
    if work_order.status in LOCKED:
        raise ApprovalError(
            f"This work order is {work_order.status_label.lower()}; the estimate can no longer be changed online.", 409
        )
    if approval_for_version(work_order, version) is not None:
        raise ApprovalError("This estimate was already answered. Your recorded answer is shown below.", status=409)
    estimate = price_estimate(work_order)
    pending = estimate.pending_jobs
    if not pending:
        raise ApprovalError("Every job of this estimate already has an answer.", status=409)
    missing = [priced.job.title for priced in pending if answers.get(priced.job.id) not in DECISIONS]
    if missing:
        raise ApprovalError("Please choose approve or decline for: " + ", ".join(missing) + ".")
    name = clean_signed_name(signed_name)
    if not name:
        raise ApprovalError("Please type your full name to authorize your answer.")
    if len(name) > SIGNED_NAME_MAX:
        raise ApprovalError(f"Your name can have at most {SIGNED_NAME_MAX} characters.")

    now = utcnow()
    decided = {priced.job.id: Approval(answers[priced.job.id]) for priced in pending}
    approved = [priced for priced in pending if decided[priced.job.id] == Approval.APPROVED]
    declined = [priced for priced in pending if decided[priced.job.id] == Approval.DECLINED]
    for priced in pending:
        priced.job.approval = decided[priced.job.id]
        priced.job.decided_at = now
    record = EstimateApproval(
        work_order_id=work_order.id,
        estimate_version=version,
        signed_name=name,
        ip_address=(ip_address or None) and ip_address[:45],
        user_agent=(user_agent or "")[:300],
        # Taxed the way an invoice taxes: per category on the sum of the lines.
        approved_total=totals_of(line for priced in approved for line in priced.job.lines).total,
        declined_total=totals_of(line for priced in declined for line in priced.job.lines).total,
        decisions=[
            {
                "job_id": priced.job.id,
                "title": priced.job.title,
                "decision": str(decided[priced.job.id]),
                "total": str(priced.totals.total),
            }
            for priced in pending
        ],
        created_at=now,
    )
    db.session.add(record)
    if approved and work_order.status == Status.ESTIMATE:
        db.session.add(
            WorkOrderEvent(
                work_order_id=work_order.id,
                from_status=Status.ESTIMATE,
                to_status=Status.APPROVED,
                user_id=None,
                note=f"approved online by {name}",
                created_at=now,
            )
        )
        work_order.status = Status.APPROVED
    db.session.flush()
    _mail_confirmations(work_order, record)
    return record


def _mail_confirmations(work_order: WorkOrder, record: EstimateApproval) -> None:
    """A copy of the answer for the customer; a heads-up for the shop's address."""
    shop = active_tenant()
    customer = db.session.scalar(select(Customer).where(Customer.id == work_order.customer_id))
    context = {"shop": shop, "customer": customer, "work_order": work_order, "approval": record}
    if customer is not None and customer.email:
        send_mail(
            customer.email,
            f"Your answer to {shop.name}'s estimate (work order #{work_order.number})",
            "workorders/estimate_decision",
            **context,
        )
    if shop.email:
        send_mail(
            shop.email,
            f"Estimate #{work_order.number} answered online by {record.signed_name}",
            "workorders/estimate_answered",
            link=work_order_url(work_order.id, _external=True),
            **context,
        )


def work_order_url(work_order_id: int, **values) -> str:
    """The work order's page."""
    return url_for("workorders.show", work_order_id=work_order_id, **values)


# --- the staff panel -----------------------------------------------------------------------


@dataclass(frozen=True)
class EstimatePanel:
    """What the work order page shows about online approval."""

    state: str  # "not_sent" | "sent" | "answered" | "closed"
    state_label: str
    sent_at: datetime | None
    approvals: list[EstimateApproval]
    send_problem: str | None  # why the estimate cannot be sent now

    @property
    def latest(self) -> EstimateApproval | None:
        return self.approvals[0] if self.approvals else None


def estimate_panel(work_order: WorkOrder) -> EstimatePanel:
    """Status of the online estimate for the panel on the work order page (read fresh, never cached)."""
    approvals = approvals_of(work_order)
    customer = db.session.scalar(select(Customer).where(Customer.id == work_order.customer_id))
    problem = send_problem(work_order, customer, work_order.jobs)
    answered = bool(approvals) and approvals[0].estimate_version == work_order.estimate_version
    if work_order.status in LOCKED:
        state, label = "closed", f"Closed ({work_order.status_label.lower()})"
    elif answered:
        state, label = "answered", "Answered by the customer"
    elif work_order.estimate_sent_at is not None:
        state, label = "sent", "Sent, waiting for the customer"
    else:
        state, label = "not_sent", "Not sent yet"
    return EstimatePanel(state, label, work_order.estimate_sent_at, approvals, str(problem) if problem else None)
