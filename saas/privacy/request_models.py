"""Privacy requests from a shop's customers (see, correct, erase their data...), and their history.

A request is made on the shop's privacy center with an e-mail address, verified by a mailed
link, matched to the shop's customers with that address, then worked by staff in the queue.
Every step is an event, so the request's page shows who did what when.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, DateTime, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.crypto import EncryptedString
from saas.core.db import Base, TenantScoped, Timestamped, belongs_to, has_many, tenant_fk, utcnow


class RequestKind(StrEnum):
    """What the person asks for."""

    ACCESS = "access"  # see what the shop holds and get a copy (portability)
    CORRECTION = "correction"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    WITHDRAW_CONSENT = "withdraw_consent"
    MARKETING_OPT_OUT = "marketing_opt_out"

    @property
    def label(self) -> str:
        """The kind as staff and the requester read it."""
        return KIND_LABELS[self]


KIND_LABELS = {
    RequestKind.ACCESS: "See my data and get a copy",
    RequestKind.CORRECTION: "Correct my data",
    RequestKind.ERASURE: "Erase my data",
    RequestKind.RESTRICTION: "Restrict the use of my data",
    RequestKind.OBJECTION: "Object to the use of my data",
    RequestKind.WITHDRAW_CONSENT: "Withdraw my consent",
    RequestKind.MARKETING_OPT_OUT: "Stop marketing",
}


class RequestStatus(StrEnum):
    """Where a request stands."""

    RECEIVED = "received"  # made on the privacy center, not yet confirmed by the mailed link
    VERIFIED = "verified"
    IN_PROGRESS = "in_progress"
    EXTENDED = "extended"
    COMPLETED = "completed"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        """The status as staff read it."""
        return STATUS_LABELS[self]


STATUS_LABELS = {
    RequestStatus.RECEIVED: "Awaiting confirmation",
    RequestStatus.VERIFIED: "New",
    RequestStatus.IN_PROGRESS: "In progress",
    RequestStatus.EXTENDED: "Extended",
    RequestStatus.COMPLETED: "Completed",
    RequestStatus.REFUSED: "Refused",
}
# The steps of a request's history (PrivacyRequestEvent.action), as its page tells them.
EVENT_LABELS = {
    "received": "asked on the privacy center",
    "verified": "confirmed the request from their mailbox",
    "marketing_withdrawn": "marketing stopped",
    "limit_set": "processing limited",
    "limit_lifted": "processing limit lifted",
    "started": "marked it in progress",
    "extended": "extended the deadline",
    "completed": "completed it",
    "refused": "refused it",
    "corrected": "corrected a customer's details",
    "export_started": "started the export of their data",
    "export_sent": "mailed the link to their data",
    "erased": "erased their personal data",
}
# Confirmed and not yet answered: the queue's work, counted against the deadline.
OPEN_STATUSES = (RequestStatus.VERIFIED, RequestStatus.IN_PROGRESS, RequestStatus.EXTENDED)
CLOSED_STATUSES = (RequestStatus.COMPLETED, RequestStatus.REFUSED)


class PrivacyRequest(TenantScoped, Timestamped, Base):
    """One request of one person (an e-mail address) to one shop."""

    __tablename__ = "privacy_requests"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        Index("ix_privacy_requests_tenant_id_status_due_on", "tenant_id", "status", "due_on"),
        Index("ix_privacy_requests_tenant_id_email", "tenant_id", "email"),
    )

    number: Mapped[int] = mapped_column(Integer)  # the shop's own numbering: request #12
    kind: Mapped[str] = mapped_column(String(30))
    email: Mapped[str] = mapped_column(String(254))  # lower-cased, as customers' addresses are
    # What the person wrote, and the staff's answers about them: encrypted at rest (never searched).
    details: Mapped[str] = mapped_column(EncryptedString(secret=False), default="")
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.RECEIVED)
    jurisdiction: Mapped[str] = mapped_column(String(10))  # deadline rules at receipt (deadlines.Jurisdiction)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    received_on: Mapped[date] = mapped_column(Date)  # the day of receipt in the shop's time zone
    due_on: Mapped[date] = mapped_column(Date)  # the deadline now (moved by an extension)
    verification_digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the mailed link's secret
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    extended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    extension_reason: Mapped[str | None] = mapped_column(EncryptedString(secret=False))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The completion note or the refusal's reason.
    resolution: Mapped[str | None] = mapped_column(EncryptedString(secret=False))

    matches: Mapped[list[PrivacyRequestCustomer]] = has_many(
        "PrivacyRequestCustomer", "PrivacyRequest", "request_id", order_by="PrivacyRequestCustomer.id"
    )
    events: Mapped[list[PrivacyRequestEvent]] = has_many(
        "PrivacyRequestEvent", "PrivacyRequest", "request_id", order_by="PrivacyRequestEvent.id"
    )

    @property
    def kind_label(self) -> str:
        """What was asked, in words."""
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        """The status, in words."""
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        """Confirmed and not yet answered."""
        return self.status in OPEN_STATUSES


class PrivacyRequestCustomer(TenantScoped, Base):
    """A customer the verified request was matched to (same e-mail address)."""

    __tablename__ = "privacy_request_customers"
    __table_args__ = (
        tenant_fk("request_id", "privacy_requests", ondelete="CASCADE"),
        tenant_fk("customer_id", "customers", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "request_id", "customer_id"),
        Index("ix_privacy_request_customers_tenant_id_customer_id", "tenant_id", "customer_id"),
    )

    request_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    # When this request restricted or objected to the customer's processing (lifted if refused).
    limit_set_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    customer = belongs_to("Customer", "PrivacyRequestCustomer", "customer_id")


class PrivacyRequestEvent(TenantScoped, Base):
    """One step in a request's history: who (a staff member, else the requester or the system) did what."""

    __tablename__ = "privacy_request_events"
    __table_args__ = (
        tenant_fk("request_id", "privacy_requests", ondelete="CASCADE"),
        tenant_fk("user_id", "users"),
        Index("ix_privacy_request_events_tenant_id_request_id", "tenant_id", "request_id"),
    )

    request_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(EncryptedString(secret=False), default="")  # encrypted at rest
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user = belongs_to("User", "PrivacyRequestEvent", "user_id")


class PrivacyRequestSettings(TenantScoped, Timestamped, Base):
    """A shop's deadline rules for privacy requests (one row per shop; none means GDPR's)."""

    __tablename__ = "privacy_request_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    jurisdiction: Mapped[str] = mapped_column(String(10))
