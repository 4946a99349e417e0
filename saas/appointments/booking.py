"""Booking and changing appointments: staff book a customer in, customers book online, and staff
confirm, move, cancel, complete or mark a no-show.

Everything here flushes and never commits. Two live appointments of one shop may never
overlap: we check first (for a clear message) and the database's exclusion constraint
`ex_appointments_no_overlap` settles races between concurrent requests; its violation
becomes `SlotTakenError` (409), raised from a savepoint so the caller can roll back cleanly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from saas.appointments import signals, slots
from saas.appointments.errors import AppointmentError, SlotTakenError
from saas.appointments.matching import BookingDetails, match_or_create_asset, match_or_create_customer
from saas.appointments.models import OPEN_STATUSES, STATUS_LABELS, Appointment, AppointmentStatus, BookableService
from saas.appointments.notices import mail, mail_customer
from saas.appointments.queries import busy_intervals
from saas.appointments.schedule import (
    MAX_DURATION,
    MIN_DURATION,
    bookable_service,
    local_label,
    opening_hours,
    shop_zone,
)
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import active_tenant
from saas.customers.models import Asset, Customer

OVERLAP_CONSTRAINT = "ex_appointments_no_overlap"
EXCLUSION_VIOLATION = "23P01"
DEFAULT_DURATION = 60


# --- never two live appointments at once -------------------------------------------------


def _is_overlap(error: IntegrityError) -> bool:
    original = error.orig
    if getattr(original, "sqlstate", None) != EXCLUSION_VIOLATION:
        return False
    diag = getattr(original, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return name in (None, OVERLAP_CONSTRAINT)


@contextmanager
def _no_overlap() -> Iterator[None]:
    """Run the changes of the block in a savepoint; an overlap the database refuses is `SlotTakenError`.

    Everything pending is flushed before the savepoint, so only the block's own changes are
    undone if it fails (and the session stays usable for the error page).
    """
    db.session.flush()
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError as error:
        if _is_overlap(error):
            raise SlotTakenError() from None
        raise


def _check_free(start: datetime, end: datetime, exclude_id: int | None = None) -> None:
    if slots.overlaps(start, end, busy_intervals(start, end, exclude_id)):
        raise SlotTakenError("That time overlaps another appointment, please pick another.")


def _check_duration(minutes: int) -> timedelta:
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        raise AppointmentError(
            f"An appointment lasts between {MIN_DURATION} minutes and {MAX_DURATION // 60} hours.",
            field="duration_minutes",
        )
    return timedelta(minutes=minutes)


# --- staff book a customer in ------------------------------------------------------------


def create_appointment(
    *,
    customer: Customer,
    asset: Asset | None,
    service: BookableService | None,
    starts_at: datetime,
    duration_minutes: int | None = None,
    notes: str = "",
    notify: bool = False,
    now: datetime | None = None,
) -> Appointment:
    """Staff book a customer in (confirmed at once); never on top of another live appointment."""
    now = now or utcnow()
    if customer.anonymized_at is not None:
        raise AppointmentError("This customer's record was anonymized; it cannot be booked.")
    if asset is not None and asset.customer_id != customer.id:
        raise AppointmentError("That vehicle or device belongs to another customer.", field="asset_id")
    if service is not None and not service.active:
        raise AppointmentError(f"“{service.name}” is no longer offered; pick another service.", field="service_id")
    if starts_at <= now:
        raise AppointmentError("Pick a time in the future.", field="start")
    length = _check_duration(duration_minutes or (service.duration_minutes if service else DEFAULT_DURATION))
    _check_free(starts_at, starts_at + length)
    appointment = Appointment(
        customer_id=customer.id,
        asset_id=asset.id if asset else None,
        service_id=service.id if service else None,
        starts_at=starts_at,
        ends_at=starts_at + length,
        status=AppointmentStatus.CONFIRMED,
        source="staff",
        notes=(notes or "").strip(),
    )
    with _no_overlap():
        db.session.add(appointment)
    if notify:
        mail_customer(appointment, "confirmed", "Your appointment is confirmed")
    return appointment


# --- an appointment's actions ------------------------------------------------------------


def _require_open(appointment: Appointment, doing: str) -> None:
    if appointment.status not in OPEN_STATUSES:
        label = STATUS_LABELS.get(appointment.status, appointment.status).lower()
        raise AppointmentError(f"This appointment is {label}; it cannot be {doing}.")


def confirm(appointment: Appointment) -> bool:
    """Confirm a requested booking and tell the customer. Returns whether an e-mail went out."""
    if appointment.status == AppointmentStatus.CONFIRMED:
        raise AppointmentError("This appointment is already confirmed.")
    _require_open(appointment, "confirmed")
    appointment.status = AppointmentStatus.CONFIRMED
    db.session.flush()
    return mail_customer(appointment, "confirmed", "Your appointment is confirmed")


def move(appointment: Appointment, starts_at: datetime, now: datetime | None = None) -> bool:
    """Move an appointment to a new start (same length), with the same checks as a new one."""
    now = now or utcnow()
    _require_open(appointment, "moved")
    if starts_at <= now:
        raise AppointmentError("Pick a time in the future.", field="start")
    if starts_at == appointment.starts_at:
        raise AppointmentError("The appointment is already at that time.", field="start")
    length = appointment.ends_at - appointment.starts_at
    _check_free(starts_at, starts_at + length, exclude_id=appointment.id)
    previous = appointment.starts_at
    with _no_overlap():
        appointment.starts_at = starts_at
        appointment.ends_at = starts_at + length
        # A reminder for the old day says nothing about the new one.
        appointment.reminder_sent_at = None
    return mail_customer(appointment, "moved", "Your appointment has a new time", previous=local_label(previous))


def cancel(appointment: Appointment, notify: bool = True) -> bool:
    """Cancel an appointment (its time becomes free again); optionally tell the customer."""
    _require_open(appointment, "cancelled")
    appointment.status = AppointmentStatus.CANCELLED
    db.session.flush()
    return notify and mail_customer(appointment, "cancelled", "Your appointment was cancelled")


def complete(appointment: Appointment) -> None:
    """Mark an appointment as done."""
    _require_open(appointment, "marked completed")
    appointment.status = AppointmentStatus.COMPLETED
    db.session.flush()


def no_show(appointment: Appointment, now: datetime | None = None) -> None:
    """Mark that the customer did not come (only once the appointment has begun)."""
    _require_open(appointment, "marked as a no-show")
    if appointment.starts_at > (now or utcnow()):
        raise AppointmentError("You can mark a no-show once the appointment's time has come.")
    appointment.status = AppointmentStatus.NO_SHOW
    db.session.flush()


# --- customers book online ---------------------------------------------------------------


def age_to_confirm() -> int | None:
    """The age a person booking online must confirm, where the shop asks for one (privacy answers), else None."""
    ages = [age for _, age in signals.booking_age_asked.send(active_tenant()) if age]
    return max(ages) if ages else None


def book_online(
    service: BookableService, starts_at: datetime, details: BookingDetails, now: datetime | None = None
) -> Appointment:
    """A customer's booking from the public page: match or create them and their vehicle or device,
    request the slot (status requested, source online) and send them a confirmation."""
    now = now or utcnow()
    bookable_service(service)
    minimum_age = age_to_confirm()
    if minimum_age is not None and not details.age_confirmed:
        raise AppointmentError(f"Please confirm that you are at least {minimum_age} years old.", field="age_confirmed")
    length = timedelta(minutes=service.duration_minutes)
    zone = shop_zone()
    offered = slots.slot_grid(opening_hours(), length, zone, now.astimezone(zone).date())
    if starts_at <= now or starts_at not in set(offered):
        raise AppointmentError("That time is not one we offer. Please pick one of the times shown.", field="slot")
    _check_free(starts_at, starts_at + length)  # from here on, the database decides races
    customer = match_or_create_customer(details.name, details.email, details.phone)
    asset = match_or_create_asset(customer, details)
    appointment = Appointment(
        customer_id=customer.id,
        asset_id=asset.id,
        service_id=service.id,
        starts_at=starts_at,
        ends_at=starts_at + length,
        status=AppointmentStatus.REQUESTED,
        source="online",
        notes=details.notes.strip(),
    )
    with _no_overlap():
        db.session.add(appointment)
    # The copy goes to the address typed, greeting the name typed: a matched record is not shown to the booker.
    mail(
        details.email.strip().lower(),
        "received",
        "We received your booking request",
        appointment,
        name=details.name.strip(),
    )
    shop = active_tenant()
    if shop.email:
        mail(shop.email, "new_request", f"New online booking: {customer.name}", appointment, name=customer.name)
    return appointment
