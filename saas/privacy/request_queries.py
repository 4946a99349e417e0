"""Reads of privacy requests for staff: the queue with its filters and counts, one request's page,
the requests whose deadline is close. Each loads what its page shows in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from saas.core.extensions import db
from saas.privacy.deadlines import urgent_cutoff
from saas.privacy.request_models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    PrivacyRequest,
    PrivacyRequestCustomer,
    PrivacyRequestEvent,
    RequestKind,
    RequestStatus,
)

# The queue's status filter: "open" (the default: confirmed, not yet answered), "closed", "all" or one status.
STATUS_FILTERS = {"open", "closed", "all", *RequestStatus}
SEARCH_MAX = 100


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows; unknown values fall back to the defaults."""

    status: str = "open"
    kind: str = ""
    urgent: bool = False
    search: str = ""

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        """Read `?status=&kind=&urgent=&q=` leniently: a value we do not know is ignored."""
        status = args.get("status", "open")
        kind = args.get("kind", "")
        return cls(
            status=status if status in STATUS_FILTERS else "open",
            kind=kind if kind in set(RequestKind) else "",
            urgent=args.get("urgent", "") in ("1", "on", "true"),
            search=args.get("q", "").replace("\x00", "").strip()[:SEARCH_MAX],
        )

    def as_args(self) -> dict:
        """The filters as query arguments (for pagination links), defaults left out."""
        args = {"status": self.status if self.status != "open" else None, "kind": self.kind or None}
        args.update(urgent=1 if self.urgent else None, q=self.search or None)
        return {key: value for key, value in args.items() if value is not None}


def queue_query(filters: QueueFilters, today: date) -> Select:
    """Requests matching `filters`, with their matched customers loaded alongside (two more queries a page).

    Open requests come soonest deadline first; other views newest first.
    """
    query = select(PrivacyRequest).options(
        selectinload(PrivacyRequest.matches).selectinload(PrivacyRequestCustomer.customer)
    )
    if filters.status == "open" or filters.urgent:
        query = query.where(PrivacyRequest.status.in_(OPEN_STATUSES))
    if filters.status == "closed":
        query = query.where(PrivacyRequest.status.in_(CLOSED_STATUSES))
    elif filters.status in set(RequestStatus):
        query = query.where(PrivacyRequest.status == filters.status)
    if filters.kind:
        query = query.where(PrivacyRequest.kind == filters.kind)
    if filters.urgent:
        query = query.where(PrivacyRequest.due_on <= urgent_cutoff(today))
    if filters.search:
        query = query.where(PrivacyRequest.email.icontains(filters.search.lower(), autoescape=True))
    if filters.status == "open" or filters.urgent:
        return query.order_by(PrivacyRequest.due_on, PrivacyRequest.number)
    return query.order_by(PrivacyRequest.received_at.desc(), PrivacyRequest.number.desc())


def queue_counts(today: date) -> dict[str, int]:
    """How many requests are in each status, plus "open", "closed", "all" and "urgent" (one query)."""
    is_open = PrivacyRequest.status.in_(OPEN_STATUSES)
    urgent = func.count().filter(is_open, PrivacyRequest.due_on <= urgent_cutoff(today))
    rows = db.session.execute(select(PrivacyRequest.status, func.count(), urgent).group_by(PrivacyRequest.status)).all()
    counts = {status: count for status, count, _ in rows}
    counts["open"] = sum(counts.get(status, 0) for status in OPEN_STATUSES)
    counts["closed"] = sum(counts.get(status, 0) for status in CLOSED_STATUSES)
    counts["all"] = sum(count for _, count, _ in rows)
    counts["urgent"] = sum(count for _, _, count in rows)
    return counts


def load_request(request_id: int) -> PrivacyRequest | None:
    """One request of the current shop with its customers and its history (who did what), or None."""
    return db.session.scalar(
        select(PrivacyRequest)
        .options(
            selectinload(PrivacyRequest.matches).selectinload(PrivacyRequestCustomer.customer),
            selectinload(PrivacyRequest.events).selectinload(PrivacyRequestEvent.user),
        )
        .where(PrivacyRequest.id == request_id)
    )


def requests_near_deadline(today: date) -> list[PrivacyRequest]:
    """Open requests due within `deadlines.URGENT_DAYS` days or overdue, soonest first."""
    return db.session.scalars(
        select(PrivacyRequest)
        .where(PrivacyRequest.status.in_(OPEN_STATUSES), PrivacyRequest.due_on <= urgent_cutoff(today))
        .order_by(PrivacyRequest.due_on, PrivacyRequest.number)
    ).all()


def customer_ids_with_open_requests() -> set[int]:
    """Customers matched by a request still open: retention leaves their data alone until it is answered."""
    return set(
        db.session.scalars(
            select(PrivacyRequestCustomer.customer_id)
            .join(
                PrivacyRequest,
                (PrivacyRequest.tenant_id == PrivacyRequestCustomer.tenant_id)
                & (PrivacyRequest.id == PrivacyRequestCustomer.request_id),
            )
            .where(PrivacyRequest.status.in_(OPEN_STATUSES), PrivacyRequestCustomer.customer_id.is_not(None))
        )
    )


def requests_of_customer(customer_id: int, *, with_history: bool = False) -> list[PrivacyRequest]:
    """The confirmed requests matched to a customer, newest first (for the customer's page; with their
    history loaded for the customer's data export)."""
    query = (
        select(PrivacyRequest)
        .join(PrivacyRequestCustomer, PrivacyRequestCustomer.request_id == PrivacyRequest.id)
        .where(PrivacyRequestCustomer.customer_id == customer_id)
        .order_by(PrivacyRequest.received_at.desc())
    )
    if with_history:
        query = query.options(selectinload(PrivacyRequest.events))
    return db.session.scalars(query).all()
