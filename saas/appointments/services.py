"""Rules for opening hours, bookable services, appointments, online booking and reminders.

Everything here flushes and never commits. Two live appointments of one shop may never
overlap: we check first (for a clear message) and the database's exclusion constraint
`ex_appointments_no_overlap` settles races between concurrent requests; its violation
becomes `SlotTakenError` (409), raised from a savepoint so the caller can roll back cleanly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import url_for
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from saas.appointments import slots
from saas.appointments.models import Appointment, AppointmentStatus, BookableService, OpeningHours
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.mail import send_mail
from saas.core.tenancy import active_tenant
from saas.customers import phones
from saas.customers.models import Asset, AssetKind, Customer
from saas.customers.services import CustomerError, save_asset, save_customer, shop_country
from saas.customers.vin import clean_vin

OVERLAP_CONSTRAINT = "ex_appointments_no_overlap"
EXCLUSION_VIOLATION = "23P01"
# Statuses that occupy time (the exclusion constraint ignores cancelled and no-show).
LIVE_STATUSES = frozenset({AppointmentStatus.REQUESTED, AppointmentStatus.CONFIRMED, AppointmentStatus.COMPLETED})
# Statuses of an appointment still to happen: it can be confirmed, moved, cancelled, closed.
OPEN_STATUSES = frozenset({AppointmentStatus.REQUESTED, AppointmentStatus.CONFIRMED})
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_DURATION = 60
MIN_DURATION, MAX_DURATION = 5, 12 * 60
MAX_YEARS_AHEAD = 2
STATUS_LABELS = {
    AppointmentStatus.REQUESTED: "Requested",
    AppointmentStatus.CONFIRMED: "Confirmed",
    AppointmentStatus.CANCELLED: "Cancelled",
    AppointmentStatus.COMPLETED: "Completed",
    AppointmentStatus.NO_SHOW: "No-show",
}


class AppointmentError(ServiceError):
    """Input or an action the appointment rules refuse; the message is safe to show."""


class SlotTakenError(AppointmentError):
    """The time overlaps another live appointment of the shop."""

    status = 409

    def __init__(self, message: str = "That time was just taken, please pick another."):
        super().__init__(message, field="slot")


# --- the shop ----------------------------------------------------------------------------


def _tenant():
    """The current shop: from the request, or loaded by id inside `tenant_scope` (jobs)."""
    tenant = active_tenant()
    if tenant is None:
        raise RuntimeError("appointments need an active tenant")
    return tenant


def shop_zone():
    """The current shop's timezone."""
    return slots.shop_zone(_tenant().timezone)


def to_utc(day: date, at: time) -> datetime:
    """A date and wall-clock time in the shop's timezone, as UTC."""
    this_year = utcnow().year
    if not this_year - 1 <= day.year <= this_year + MAX_YEARS_AHEAD:
        raise AppointmentError(f"Pick a date within the next {MAX_YEARS_AHEAD} years.", field="day")
    moment = slots.local_datetime(day, at, shop_zone())
    if moment is None:
        raise AppointmentError("That time does not exist on that day (the clocks change). Pick another.", field="start")
    return moment


def local_label(moment: datetime, fmt: str = "%A %d %B %Y, %H:%M") -> str:
    """A UTC time as the shop reads it, e.g. `Tuesday 24 November 2026, 09:00`."""
    return moment.astimezone(shop_zone()).strftime(fmt)


# --- opening hours -----------------------------------------------------------------------


def opening_hours() -> dict[int, tuple[time, time]]:
    """`{weekday: (opens_at, closes_at)}` for the days the shop is open (0 = Monday)."""
    rows = db.session.scalars(select(OpeningHours).order_by(OpeningHours.weekday))
    return {row.weekday: (row.opens_at, row.closes_at) for row in rows}


@dataclass(frozen=True)
class DayHours:
    """One weekday as the settings form sends it."""

    weekday: int
    is_open: bool
    opens_at: time | None = None
    closes_at: time | None = None


def save_opening_hours(days: Iterable[DayHours]) -> None:
    """Replace the shop's opening hours: open days get a row, closed days none."""
    days = list(days)
    for day in days:
        if not 0 <= day.weekday <= 6:
            raise AppointmentError("Unknown weekday.")
        if day.is_open and (day.opens_at is None or day.closes_at is None):
            raise AppointmentError(f"{DAY_NAMES[day.weekday]}: give the opening and the closing time.")
        if day.is_open and day.closes_at <= day.opens_at:
            raise AppointmentError(f"{DAY_NAMES[day.weekday]}: the closing time must be after the opening time.")
    existing = {row.weekday: row for row in db.session.scalars(select(OpeningHours))}
    for day in days:
        row = existing.get(day.weekday)
        if not day.is_open:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = OpeningHours(weekday=day.weekday)
            db.session.add(row)
        row.opens_at = day.opens_at.replace(second=0, microsecond=0)
        row.closes_at = day.closes_at.replace(second=0, microsecond=0)
    db.session.flush()


# --- bookable services -------------------------------------------------------------------


def service_list() -> list[BookableService]:
    """All services: active ones first, then by name."""
    return list(
        db.session.scalars(
            select(BookableService).order_by(BookableService.active.desc(), BookableService.name, BookableService.id)
        )
    )


def online_services() -> list[BookableService]:
    """Services customers may book on the public page."""
    return list(
        db.session.scalars(
            select(BookableService)
            .where(BookableService.online.is_(True), BookableService.active.is_(True))
            .order_by(BookableService.name, BookableService.id)
        )
    )


def save_service(
    service: BookableService | None,
    *,
    name: str,
    description: str | None,
    duration_minutes: int,
    online: bool,
    active: bool,
) -> BookableService:
    """Create or change a bookable service; names are unique within the shop (any case)."""
    name = (name or "").strip()
    if not name:
        raise AppointmentError("Give the service a name.", field="name")
    if not MIN_DURATION <= duration_minutes <= MAX_DURATION:
        raise AppointmentError(
            f"A service takes between {MIN_DURATION} and {MAX_DURATION} minutes.", field="duration_minutes"
        )
    clash = select(BookableService.id).where(func.lower(BookableService.name) == name.lower())
    if service is not None:
        clash = clash.where(BookableService.id != service.id)
    if db.session.scalar(clash.limit(1)) is not None:
        raise AppointmentError(f"There is already a service called “{name}”.", field="name")
    if service is None:
        service = BookableService()
        db.session.add(service)
    service.name = name
    service.description = (description or "").strip()
    service.duration_minutes = duration_minutes
    service.online = online
    service.active = active
    db.session.flush()
    return service


# --- reading appointments ----------------------------------------------------------------


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


# --- writing appointments ----------------------------------------------------------------


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
        raise AppointmentError("This customer's record was anonymized; it cannot be booked.", field="customer_id")
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
        _mail_customer(appointment, "confirmed", "Your appointment is confirmed")
    return appointment


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
    return _mail_customer(appointment, "confirmed", "Your appointment is confirmed")


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
    return _mail_customer(appointment, "moved", "Your appointment has a new time", previous=local_label(previous))


def cancel(appointment: Appointment, notify: bool = True) -> bool:
    """Cancel an appointment (its time becomes free again); optionally tell the customer."""
    _require_open(appointment, "cancelled")
    appointment.status = AppointmentStatus.CANCELLED
    db.session.flush()
    return notify and _mail_customer(appointment, "cancelled", "Your appointment was cancelled")


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


# --- online booking ----------------------------------------------------------------------


@dataclass(frozen=True)
class BookingDetails:
    """What a customer types on the public booking page."""

    name: str
    email: str
    phone: str
    kind: str = AssetKind.VEHICLE
    plate: str = ""
    vin: str = ""
    make: str = ""
    model: str = ""
    device_type: str = ""
    serial: str = ""
    notes: str = ""


def _plate_key(plate: str | None) -> str:
    return re.sub(r"[^A-Z0-9]", "", (plate or "").upper())


def _serial_key(serial: str | None) -> str:
    return re.sub(r"[\s-]", "", (serial or "").upper())


def match_or_create_customer(name: str, email: str, phone: str) -> Customer:
    """The shop's customer with this e-mail, else with this phone number, else a new one."""
    email = (email or "").strip().lower()
    try:
        normalized = phones.normalize_phone(phone, shop_country())
    except phones.InvalidPhone as error:
        raise AppointmentError(str(error), field="phone") from None
    live = Customer.anonymized_at.is_(None)
    customer = None
    if email:
        customer = db.session.scalar(
            select(Customer).where(live, func.lower(Customer.email) == email).order_by(Customer.id).limit(1)
        )
    if customer is None and normalized:
        customer = db.session.scalar(
            select(Customer).where(live, Customer.phone == normalized).order_by(Customer.id).limit(1)
        )
    if customer is None:
        try:
            return save_customer(None, name=name.strip(), email=email, phone=normalized, notes="")
        except CustomerError as error:
            raise AppointmentError(str(error), field=error.field) from None
    # Fill in what the shop did not know yet; never overwrite what it has.
    customer.email = customer.email or email or None
    customer.phone = customer.phone or normalized
    db.session.flush()
    return customer


def match_or_create_asset(customer: Customer, details: BookingDetails) -> Asset:
    """The customer's vehicle with this plate or VIN (device: serial), else a new one."""
    kind = details.kind if details.kind in set(AssetKind) else AssetKind.VEHICLE
    query = select(Asset).where(Asset.customer_id == customer.id, Asset.kind == kind).order_by(Asset.id).limit(1)
    conditions = []
    if kind == AssetKind.VEHICLE:
        if clean_vin(details.vin):
            conditions.append(func.upper(Asset.vin) == clean_vin(details.vin))
        if _plate_key(details.plate):
            plate_column = func.regexp_replace(func.upper(Asset.plate), "[^A-Z0-9]", "", "g")
            conditions.append(plate_column == _plate_key(details.plate))
    elif _serial_key(details.serial):
        serial_column = func.regexp_replace(func.upper(Asset.serial), r"[\s-]", "", "g")
        conditions.append(serial_column == _serial_key(details.serial))
    if not conditions and kind == AssetKind.DEVICE:
        # A device without a serial: the same description is the same device.
        conditions.append(
            (func.lower(Asset.make) == details.make.strip().lower())
            & (func.lower(Asset.model) == details.model.strip().lower())
            & (func.lower(func.coalesce(Asset.device_type, "")) == details.device_type.strip().lower())
        )
    found = db.session.scalar(query.where(or_(*conditions))) if conditions else None
    if found is not None:
        found.make = found.make or details.make.strip()[:60]
        found.model = found.model or details.model.strip()[:60]
        db.session.flush()
        return found
    try:
        return save_asset(
            None,
            customer,
            kind=kind,
            make=details.make[:60],
            model=details.model[:60],
            vin=details.vin,
            plate=details.plate,
            device_type=details.device_type,
            serial=details.serial,
        )
    except CustomerError as error:
        raise AppointmentError(str(error), field=error.field) from None


def bookable_service(service: BookableService) -> BookableService:
    """`service` if customers may book it online, else a 400 with a clear message."""
    if not (service.active and service.online):
        raise AppointmentError("That service cannot be booked online. Please pick one of the services shown.")
    return service


def book_online(
    service: BookableService, starts_at: datetime, details: BookingDetails, now: datetime | None = None
) -> Appointment:
    """A customer's booking from the public page: match or create them and their vehicle or device,
    request the slot (status requested, source online) and send them a confirmation."""
    now = now or utcnow()
    bookable_service(service)
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
    _mail(
        details.email.strip().lower(),
        "received",
        "We received your booking request",
        appointment,
        name=details.name.strip(),
    )
    shop = _tenant()
    if shop.email:
        _mail(shop.email, "new_request", f"New online booking: {customer.name}", appointment, name=customer.name)
    return appointment


# --- reminders ---------------------------------------------------------------------------


def send_due_reminders(now: datetime | None = None) -> int:
    """E-mail a reminder for the current shop's appointments tomorrow (shop time); returns how many.

    Requested and confirmed appointments starting tomorrow whose reminder has not gone out get
    one, and `reminder_sent_at` is set, so running this again sends nothing twice. Rows are
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
        if _mail_customer(appointment, "reminder", "Reminder: your appointment tomorrow"):
            appointment.reminder_sent_at = now
            sent += 1
    db.session.flush()
    return sent


# --- mail --------------------------------------------------------------------------------


def _mail_customer(appointment: Appointment, template: str, subject: str, **context) -> bool:
    customer = appointment.customer
    if customer is None or not customer.email or customer.anonymized_at is not None:
        return False
    _mail(customer.email, template, subject, appointment, name=customer.name, **context)
    return True


def _mail(to: str, template: str, subject: str, appointment: Appointment, **context) -> None:
    shop = _tenant()
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
