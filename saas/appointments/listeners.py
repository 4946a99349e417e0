"""How appointments plug into a customer's history and data export."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from saas.appointments.models import OPEN_STATUSES, Appointment, AppointmentStatus
from saas.core.extensions import db
from saas.customers import signals as customer_signals
from saas.customers.export import row
from saas.customers.models import Customer


@customer_signals.history_asked.connect
def _appointment_history(customer: Customer, **details) -> str | None:
    count = db.session.scalar(
        select(func.count()).select_from(Appointment).where(Appointment.customer_id == customer.id)
    )
    return f"{count} appointments" if count else None


@customer_signals.data_exported.connect
def _appointments_export(customer: Customer, **details) -> dict:
    appointments = db.session.scalars(
        select(Appointment)
        .options(selectinload(Appointment.service))
        .where(Appointment.customer_id == customer.id)
        .order_by(Appointment.starts_at)
    ).all()
    return {
        "appointments": [
            {
                **row(appointment, "id", "asset_id", "starts_at", "ends_at", "status", "source", "notes"),
                "service": appointment.service.name if appointment.service else None,
            }
            for appointment in appointments
        ]
    }


@customer_signals.erasing.connect
def _erase_appointments(customer: Customer, **details) -> customer_signals.ErasureNote | None:
    """Coming appointments are cancelled (no reminder reaches an erased person); notes go; past times stay."""
    ours = Appointment.customer_id == customer.id
    cancelled = db.session.execute(
        update(Appointment)
        .where(ours, Appointment.status.in_(OPEN_STATUSES))
        .values(status=AppointmentStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    ).rowcount
    notes = db.session.execute(
        update(Appointment).where(ours).values(notes="").execution_options(synchronize_session=False)
    ).rowcount
    if not notes:
        return None
    erased = "Notes of appointments" + (f"; {cancelled} coming appointments cancelled" if cancelled else "")
    return customer_signals.ErasureNote("Appointments", erased=erased)
