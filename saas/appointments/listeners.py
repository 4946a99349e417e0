"""How appointments plug into a customer's history and data export."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from saas.appointments.models import Appointment
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
