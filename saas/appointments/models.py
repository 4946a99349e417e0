"""Opening hours, bookable services and appointments."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, DateTime, Index, Integer, SmallInteger, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.crypto import EncryptedString
from saas.core.db import Base, TenantScoped, Timestamped, belongs_to, tenant_fk


class OpeningHours(TenantScoped, Base):
    """When the shop is open on one weekday (0 = Monday). No row: closed that day."""

    __tablename__ = "opening_hours"
    __table_args__ = (UniqueConstraint("tenant_id", "weekday"),)

    weekday: Mapped[int] = mapped_column(SmallInteger)
    opens_at: Mapped[time] = mapped_column(Time)
    closes_at: Mapped[time] = mapped_column(Time)


class BookableService(TenantScoped, Timestamped, Base):
    """A service customers can book online (e.g. "Oil change", 60 minutes)."""

    __tablename__ = "bookable_services"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    online: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AppointmentStatus(StrEnum):
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


# Statuses that occupy time (the exclusion constraint ignores cancelled and no-show).
LIVE_STATUSES = frozenset({AppointmentStatus.REQUESTED, AppointmentStatus.CONFIRMED, AppointmentStatus.COMPLETED})
# Statuses of an appointment still to happen: it can be confirmed, moved, cancelled, closed.
OPEN_STATUSES = frozenset({AppointmentStatus.REQUESTED, AppointmentStatus.CONFIRMED})
STATUS_LABELS = {
    AppointmentStatus.REQUESTED: "Requested",
    AppointmentStatus.CONFIRMED: "Confirmed",
    AppointmentStatus.CANCELLED: "Cancelled",
    AppointmentStatus.COMPLETED: "Completed",
    AppointmentStatus.NO_SHOW: "No-show",
}


class Appointment(TenantScoped, Timestamped, Base):
    """A booked time. The database refuses two live appointments of one shop that overlap."""

    __tablename__ = "appointments"
    __table_args__ = (
        tenant_fk("customer_id", "customers"),
        tenant_fk("asset_id", "assets"),
        tenant_fk("service_id", "bookable_services"),
        Index("ix_appointments_tenant_id_starts_at", "tenant_id", "starts_at"),
        # The no-overlap exclusion constraint lives in the migration (btree_gist).
    )

    customer_id: Mapped[int] = mapped_column(BigInteger)
    asset_id: Mapped[int | None] = mapped_column(BigInteger)
    service_id: Mapped[int | None] = mapped_column(BigInteger)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(12), default=AppointmentStatus.REQUESTED)
    source: Mapped[str] = mapped_column(String(10), default="staff")  # staff | online
    notes: Mapped[str] = mapped_column(EncryptedString(secret=False), default="")  # encrypted at rest
    reminder_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    customer = belongs_to("Customer", "Appointment", "customer_id")
    asset = belongs_to("Asset", "Appointment", "asset_id")
    service = belongs_to("BookableService", "Appointment", "service_id")
