"""Work orders, the jobs inside them and their lines; canned jobs; estimate approvals."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.crypto import EncryptedString
from saas.core.db import Base, TenantScoped, Timestamped, belongs_to, has_many, tenant_fk, utcnow


class Status(StrEnum):
    """Where a work order stands. `workorders.services.TRANSITIONS` says which moves are legal."""

    ESTIMATE = "estimate"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    WAITING_FOR_PARTS = "waiting_for_parts"
    READY = "ready"
    INVOICED = "invoiced"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class WorkOrder(TenantScoped, Timestamped, Base):
    """One visit: a customer's asset, the concern, the jobs, the people on it."""

    __tablename__ = "work_orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "number"),
        tenant_fk("customer_id", "customers"),
        tenant_fk("asset_id", "assets"),
        tenant_fk("created_by_id", "users"),
        Index("ix_work_orders_tenant_id_status", "tenant_id", "status"),
        Index("ix_work_orders_tenant_id_customer_id", "tenant_id", "customer_id"),
    )

    number: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default=Status.ESTIMATE)
    concern: Mapped[str] = mapped_column(Text, default="")
    diagnosis: Mapped[str] = mapped_column(Text, default="")
    internal_notes: Mapped[str] = mapped_column(EncryptedString(secret=False), default="")  # encrypted at rest
    odometer_in: Mapped[int | None] = mapped_column(Integer)
    promised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(BigInteger)
    # Bumped whenever jobs or prices change: an approval link made before then stops working.
    estimate_version: Mapped[int] = mapped_column(Integer, default=1)
    estimate_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    customer = belongs_to("Customer", "WorkOrder", "customer_id")
    asset = belongs_to("Asset", "WorkOrder", "asset_id")
    jobs: Mapped[list[Job]] = has_many("Job", "WorkOrder", "work_order_id", order_by="Job.position, Job.id")
    technicians = has_many("WorkOrderTechnician", "WorkOrder", "work_order_id")

    @property
    def status_label(self) -> str:
        return Status(self.status).label


class WorkOrderTechnician(TenantScoped, Base):
    """A technician assigned to a work order."""

    __tablename__ = "work_order_technicians"
    __table_args__ = (
        UniqueConstraint("tenant_id", "work_order_id", "user_id"),
        tenant_fk("work_order_id", "work_orders", ondelete="CASCADE"),
        tenant_fk("user_id", "users", ondelete="CASCADE"),
        Index("ix_work_order_technicians_tenant_id_user_id", "tenant_id", "user_id"),
    )

    work_order_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(BigInteger)

    user = belongs_to("User", "WorkOrderTechnician", "user_id")


class WorkOrderEvent(TenantScoped, Base):
    """A status change: from what, to what, by whom, when."""

    __tablename__ = "work_order_events"
    __table_args__ = (
        tenant_fk("work_order_id", "work_orders", ondelete="CASCADE"),
        tenant_fk("user_id", "users"),
        Index("ix_work_order_events_tenant_id_work_order_id", "tenant_id", "work_order_id"),
    )

    work_order_id: Mapped[int] = mapped_column(BigInteger)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(BigInteger)  # None: the customer or the system
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user = belongs_to("User", "WorkOrderEvent", "user_id")


class Approval(StrEnum):
    """The customer's answer to one job of an estimate."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class Job(TenantScoped, Timestamped, Base):
    """A piece of work inside a work order (e.g. "Front brake pads"), with its lines."""

    __tablename__ = "jobs"
    __table_args__ = (
        tenant_fk("work_order_id", "work_orders", ondelete="CASCADE"),
        Index("ix_jobs_tenant_id_work_order_id", "tenant_id", "work_order_id"),
    )

    work_order_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    approval: Mapped[str] = mapped_column(String(10), default=Approval.PENDING)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recommended: Mapped[bool] = mapped_column(Boolean, default=False)  # from an inspection, not the concern
    notes: Mapped[str] = mapped_column(Text, default="")

    work_order = belongs_to("WorkOrder", "Job", "work_order_id")
    lines: Mapped[list[JobLine]] = has_many("JobLine", "Job", "job_id", order_by="JobLine.position, JobLine.id")


class LineKind(StrEnum):
    """What a job line charges for."""

    LABOR = "labor"
    PART = "part"
    FEE = "fee"
    DISCOUNT = "discount"


class TaxCategory(StrEnum):
    """Which of the shop's tax rates applies to a line."""

    LABOR = "labor"
    PARTS = "parts"
    FEES = "fees"
    NONE = "none"


class LineColumns:
    """What a job line and a canned job line both say (see `workorders.jobs.line_values`)."""

    kind: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(200))
    part_number: Mapped[str | None] = mapped_column(String(60))
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 3), default=Decimal("1"))  # hours for labor
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # rate for labor; negative for discounts
    unit_cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    tax_category: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer, default=0)


class JobLine(LineColumns, TenantScoped, Base):
    """Labor (hours x rate), a part (quantity x price, with cost), a fee or a discount."""

    __tablename__ = "job_lines"
    __table_args__ = (
        tenant_fk("job_id", "jobs", ondelete="CASCADE"),
        Index("ix_job_lines_tenant_id_job_id", "tenant_id", "job_id"),
    )

    job_id: Mapped[int] = mapped_column(BigInteger)


class CannedJob(TenantScoped, Timestamped, Base):
    """A template of labor and parts, added to a work order in two clicks."""

    __tablename__ = "canned_jobs"
    __table_args__ = (UniqueConstraint("tenant_id", "title"),)

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    lines: Mapped[list[CannedJobLine]] = has_many(
        "CannedJobLine", "CannedJob", "canned_job_id", order_by="CannedJobLine.position, CannedJobLine.id"
    )


class CannedJobLine(LineColumns, TenantScoped, Base):
    """One line of a canned job (same shape as a job line)."""

    __tablename__ = "canned_job_lines"
    __table_args__ = (
        tenant_fk("canned_job_id", "canned_jobs", ondelete="CASCADE"),
        Index("ix_canned_job_lines_tenant_id_canned_job_id", "tenant_id", "canned_job_id"),
    )

    canned_job_id: Mapped[int] = mapped_column(BigInteger)


class EstimateApproval(TenantScoped, Base):
    """The customer's signed answer to an estimate: who, when, from where, for exactly what."""

    __tablename__ = "estimate_approvals"
    __table_args__ = (
        tenant_fk("work_order_id", "work_orders", ondelete="CASCADE"),
        Index("ix_estimate_approvals_tenant_id_work_order_id", "tenant_id", "work_order_id"),
    )

    work_order_id: Mapped[int] = mapped_column(BigInteger)
    estimate_version: Mapped[int] = mapped_column(Integer)
    signed_name: Mapped[str] = mapped_column(String(120))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    approved_total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    declined_total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # [{"job_id": 1, "title": "...", "decision": "approved", "total": "123.45"}, ...]
    decisions: Mapped[list] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
