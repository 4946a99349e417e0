"""The e-mails about an appointment (confirmed, moved, cancelled, received, reminder, new request).

Mail is queued with the request's or job's transaction and leaves with its commit (saas.core.mail).
"""

from __future__ import annotations

from flask import url_for

from saas.appointments.models import Appointment
from saas.appointments.schedule import local_label
from saas.core.mail import send_mail
from saas.core.tenancy import active_tenant


def mail_customer(appointment: Appointment, template: str, subject: str, **context) -> bool:
    """E-mail the appointment's customer; False when they have no address (or were anonymized)."""
    customer = appointment.customer
    if customer is None or not customer.email or customer.anonymized_at is not None:
        return False
    mail(customer.email, template, subject, appointment, name=customer.name, **context)
    return True


def mail(to: str, template: str, subject: str, appointment: Appointment, **context) -> None:
    """E-mail `to` about `appointment` with `appointments/email/<template>`, signed by the shop."""
    shop = active_tenant()
    send_mail(
        to,
        f"{subject} – {shop.name}",
        f"appointments/email/{template}",
        shop=shop,
        appointment=appointment,
        customer=appointment.customer,
        service=appointment.service,
        asset=appointment.asset,
        when=local_label(appointment.starts_at),
        booking_url=url_for("booking.book", shop=shop.subdomain, _external=True),
        calendar_url=url_for("appointments.show", shop=shop.subdomain, appointment_id=appointment.id, _external=True),
        **context,
    )
