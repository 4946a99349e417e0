"""The day-before reminder e-mails, sent by the hourly job of each shop (saas.appointments.tasks)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from saas.appointments import slots
from saas.appointments.models import OPEN_STATUSES, Appointment
from saas.appointments.notices import mail_customer
from saas.appointments.schedule import shop_zone
from saas.core.db import utcnow
from saas.core.extensions import db


def send_due_reminders(now: datetime | None = None) -> int:
    """E-mail a reminder for the current shop's appointments tomorrow (shop time); returns how many.

    Requested and confirmed appointments starting tomorrow whose reminder has not gone out get
    one, and `reminder_sent_at` is set, so running this again sends nothing twice. A customer
    who restricted or objected to processing (a privacy request) gets none. Rows are
    locked (SKIP LOCKED) so two workers never remind the same appointment. Call inside
    `tenant_scope(tenant_id)` and commit afterwards: mail leaves after the commit.
    """
    now = now or utcnow()
    zone = shop_zone()
    start, end = slots.local_day_bounds(now.astimezone(zone).date() + timedelta(days=1), zone)
    due = db.session.scalars(
        select(Appointment)
        .options(selectinload(Appointment.customer), selectinload(Appointment.service), selectinload(Appointment.asset))
        .where(
            Appointment.status.in_(OPEN_STATUSES),
            Appointment.reminder_sent_at.is_(None),
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
        )
        .order_by(Appointment.starts_at, Appointment.id)
        .with_for_update(skip_locked=True, of=Appointment)
    ).all()
    sent = 0
    for appointment in due:
        if appointment.customer is not None and appointment.customer.processing_limited:
            continue
        if mail_customer(appointment, "reminder", "Reminder: your appointment tomorrow"):
            appointment.reminder_sent_at = now
            sent += 1
    db.session.flush()
    return sent
