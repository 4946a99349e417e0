"""Reading appointments: the calendar's days, the requests awaiting confirmation, one appointment,
and the free times the booking page offers. Each read is one query, whatever the number of rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from saas.appointments import slots
from saas.appointments.models import LIVE_STATUSES, Appointment, AppointmentStatus, BookableService
from saas.appointments.schedule import opening_hours, shop_zone
from saas.core.db import utcnow
from saas.core.extensions import db


def _with_details(query):
    return query.options(
        joinedload(Appointment.customer), joinedload(Appointment.asset), joinedload(Appointment.service)
    )


def appointments_between(start: datetime, end: datetime) -> list[Appointment]:
    """Appointments touching [start, end), with customer, asset and service (one query)."""
    query = (
        select(Appointment)
        .where(Appointment.starts_at < end, Appointment.ends_at > start)
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return list(db.session.scalars(_with_details(query)).unique())


def awaiting_confirmation(now: datetime | None = None, limit: int = 10) -> list[Appointment]:
    """Upcoming online requests the shop has not confirmed yet, soonest first (one query)."""
    query = (
        select(Appointment)
        .where(Appointment.status == AppointmentStatus.REQUESTED, Appointment.ends_at > (now or utcnow()))
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(limit)
    )
    return list(db.session.scalars(_with_details(query)).unique())


def appointment_details(appointment_id: int) -> Appointment | None:
    """One appointment with its customer, asset and service."""
    query = select(Appointment).where(Appointment.id == appointment_id)
    return db.session.scalars(_with_details(query)).unique().one_or_none()


def busy_intervals(start: datetime, end: datetime, exclude_id: int | None = None) -> list[slots.Interval]:
    """(starts_at, ends_at) of the live appointments touching [start, end)."""
    query = select(Appointment.starts_at, Appointment.ends_at).where(
        Appointment.status.in_(LIVE_STATUSES), Appointment.starts_at < end, Appointment.ends_at > start
    )
    if exclude_id is not None:
        query = query.where(Appointment.id != exclude_id)
    return [(row.starts_at, row.ends_at) for row in db.session.execute(query)]


def available_slots(service: BookableService, now: datetime | None = None) -> list[datetime]:
    """Free start times (UTC) for `service` over the booking window, every 30 minutes, none past."""
    now = now or utcnow()
    hours = opening_hours()
    if not hours:
        return []
    busy = busy_intervals(now - timedelta(days=1), now + timedelta(days=slots.BOOKING_DAYS + 1))
    return slots.free_slots(hours, busy, timedelta(minutes=service.duration_minutes), shop_zone(), now)
