"""The tenant: one repair shop, reached at its own subdomain."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, DateTime, Identity, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.db import Base, Timestamped, utcnow


class TenantStatus(StrEnum):
    """Where a shop stands with its plan (billing keeps it in step with the subscription).

    Suspension and closing are not statuses: they are set by the platform on top of whatever the
    plan says (`Tenant.suspended_at`, `Tenant.deletion_due_at`) and lifted without losing it.
    """

    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    READ_ONLY = "read_only"
    CANCELED = "canceled"


class Tenant(Timestamped, Base):
    """A shop. Platform-level table: every shop table points here through `tenant_id`."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    subdomain: Mapped[str] = mapped_column(String(40), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20), default=TenantStatus.TRIALING)
    trial_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The shop's profile, printed on invoices and used for prices, taxes and times.
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(Text, default="", server_default="")
    tax_id: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str] = mapped_column(String(3), default="USD", server_default="USD")
    timezone: Mapped[str] = mapped_column(String(60), default="UTC", server_default="UTC")
    labor_rate: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("120.00"), server_default="120.00")
    # Tax rates per line category, as fractions (0.08250 = 8.25 %).
    tax_rate_labor: Mapped[Decimal] = mapped_column(Numeric(7, 5), default=Decimal("0"), server_default="0")
    tax_rate_parts: Mapped[Decimal] = mapped_column(Numeric(7, 5), default=Decimal("0"), server_default="0")
    tax_rate_fees: Mapped[Decimal] = mapped_column(Numeric(7, 5), default=Decimal("0"), server_default="0")
    invoice_due_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    # Set by the platform: a suspended shop's staff are refused everywhere (its customers' privacy pages
    # still work); a closing shop is read-only until `deletion_due_at`, when a job deletes all of it.
    suspended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deletion_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The owner lets Workbay support make changes while visiting (else support visits are read-only).
    support_write_allowed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")

    def __repr__(self) -> str:
        return f"<Tenant {self.subdomain}>"

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_closing(self) -> bool:
        return self.deletion_due_at is not None

    @property
    def trial_days_left(self) -> int | None:
        """Whole days left in the trial, or None when not trialing."""
        if self.status != TenantStatus.TRIALING or self.trial_ends_at is None:
            return None
        return max(0, math.ceil((self.trial_ends_at - utcnow()).total_seconds() / 86400))


def running_shops():
    """The SQL condition of shops whose scheduled work runs: not suspended (a suspension pauses it)."""
    return Tenant.suspended_at.is_(None)
