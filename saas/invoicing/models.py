"""Invoices (and credit notes) with their frozen lines, and the payments against them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.db import Base, TenantScoped, belongs_to, has_many, tenant_fk, utcnow


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(StrEnum):
    """Issued invoices never change; a mistake is voided (number kept) or credited."""

    ISSUED = "issued"
    VOID = "void"


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    CHECK = "check"
    OTHER = "other"


class Invoice(TenantScoped, Base):
    """An issued invoice or credit note. Amounts and bill-to details are a snapshot."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "kind", "number"),
        tenant_fk("work_order_id", "work_orders"),
        tenant_fk("customer_id", "customers"),
        tenant_fk("credited_invoice_id", "invoices"),
        tenant_fk("issued_by_id", "users"),
        Index("ix_invoices_tenant_id_customer_id", "tenant_id", "customer_id"),
        Index("ix_invoices_tenant_id_issued_at", "tenant_id", "issued_at"),
    )

    kind: Mapped[str] = mapped_column(String(12), default=InvoiceKind.INVOICE)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=InvoiceStatus.ISSUED)
    work_order_id: Mapped[int | None] = mapped_column(BigInteger)
    customer_id: Mapped[int] = mapped_column(BigInteger)
    credited_invoice_id: Mapped[int | None] = mapped_column(BigInteger)  # for credit notes
    currency: Mapped[str] = mapped_column(String(3))
    bill_to_name: Mapped[str] = mapped_column(String(120))
    bill_to_email: Mapped[str | None] = mapped_column(String(254))
    bill_to_address: Mapped[str] = mapped_column(Text, default="")
    subtotal: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    tax_total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    amount_paid: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    void_reason: Mapped[str] = mapped_column(Text, default="")
    issued_by_id: Mapped[int | None] = mapped_column(BigInteger)

    customer = belongs_to("Customer", "Invoice", "customer_id")
    work_order = belongs_to("WorkOrder", "Invoice", "work_order_id")
    lines: Mapped[list[InvoiceLine]] = has_many("InvoiceLine", "Invoice", "invoice_id", order_by="InvoiceLine.position")
    payments: Mapped[list[Payment]] = has_many("Payment", "Invoice", "invoice_id", order_by="Payment.received_at")

    @property
    def document_number(self) -> str:
        """`INV-0042` or `CN-0007`: the number as printed, everywhere it is shown."""
        prefix = "CN" if self.kind == InvoiceKind.CREDIT_NOTE else "INV"
        return f"{prefix}-{self.number:04d}"

    @property
    def document_title(self) -> str:
        """`Invoice` or `Credit note`."""
        return "Credit note" if self.kind == InvoiceKind.CREDIT_NOTE else "Invoice"


class InvoiceLine(TenantScoped, Base):
    """A frozen copy of a job line as it was invoiced, with its tax."""

    __tablename__ = "invoice_lines"
    __table_args__ = (
        tenant_fk("invoice_id", "invoices", ondelete="CASCADE"),
        Index("ix_invoice_lines_tenant_id_invoice_id", "tenant_id", "invoice_id"),
    )

    invoice_id: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer, default=0)
    job_title: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    tax_category: Mapped[str] = mapped_column(String(10))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(7, 5))  # 0.08250 = 8.25 %
    net_amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class Payment(TenantScoped, Base):
    """Money received against an invoice (partial payments allowed)."""

    __tablename__ = "payments"
    __table_args__ = (
        tenant_fk("invoice_id", "invoices"),
        tenant_fk("recorded_by_id", "users"),
        Index("ix_payments_tenant_id_invoice_id", "tenant_id", "invoice_id"),
        Index("ix_payments_tenant_id_received_at", "tenant_id", "received_at"),
    )

    invoice_id: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    method: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str] = mapped_column(String(120), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
