"""The public booking page on the shop's subdomain: no login, the host decides the shop."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from saas.appointments import services, slots
from saas.appointments.forms import BookingForm
from saas.appointments.models import BookableService
from saas.appointments.services import AppointmentError, BookingDetails
from saas.core.extensions import db, limiter
from saas.core.tenancy import current_tenant, get_or_404

bp = Blueprint("booking", __name__, template_folder="templates", url_prefix="/book")

BOOKED_KEY = "booked_appointment"
FIRST_DAYS_OPEN = 3


def _choose_service(status: int = 200):
    return render_template(
        "appointments/book_index.html",
        offered=services.online_services(),
        has_hours=bool(services.opening_hours()),
    ), status


def _booking_page(form: BookingForm, service: BookableService, status: int = 200):
    zone = services.shop_zone()
    chosen = form.slot.data or ""
    slot_days = []
    for index, (day, day_slots) in enumerate(slots.group_by_local_day(services.available_slots(service), zone)):
        options = [(slot.isoformat(), slot.astimezone(zone).strftime("%H:%M")) for slot in day_slots]
        # The first days show their times; later ones fold away unless they hold the chosen time.
        unfolded = index < FIRST_DAYS_OPEN or chosen in {value for value, _ in options}
        slot_days.append((day, options, unfolded))
    return render_template(
        "appointments/book.html", form=form, service=service, slot_days=slot_days, zone=zone, chosen=chosen
    ), status


def _bookable(service_id: int | None) -> BookableService:
    """The service (404 when it is not this shop's; 400 when it cannot be booked online)."""
    service = get_or_404(BookableService, service_id)
    services.bookable_service(service)
    return service


def _parse_slot(value: str | None) -> datetime:
    try:
        moment = datetime.fromisoformat(value or "")
        if moment.tzinfo is None:
            raise ValueError("a time without its offset")
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise AppointmentError("Pick one of the times shown.", field="slot") from None


@bp.route("", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def book():
    """Pick a service, then a free time, and say who you are and what you bring."""
    form = BookingForm()
    service_id = form.service_id.data if request.method == "POST" else request.args.get("service", type=int)
    if service_id is None:
        if request.method == "POST":
            flash("Pick a service first.", "error")
            return _choose_service(400)
        return _choose_service()
    try:
        service = _bookable(service_id)
    except AppointmentError as error:
        flash(str(error), "error")
        return _choose_service(error.status)
    if request.method == "GET":
        form.service_id.data = service.id
        return _booking_page(form, service)
    if not form.validate_on_submit():
        flash("Please check the highlighted fields.", "error")
        return _booking_page(form, service, 400)
    details = BookingDetails(
        name=form.name.data,
        email=form.email.data,
        phone=form.phone.data,
        kind=form.kind.data,
        plate=form.plate.data or "",
        vin=form.vin.data or "",
        make=form.make.data or "",
        model=form.model.data or "",
        device_type=form.device_type.data or "",
        serial=form.serial.data or "",
        notes=form.notes.data or "",
    )
    try:
        appointment = services.book_online(service, _parse_slot(form.slot.data), details)
    except AppointmentError as error:
        db.session.rollback()
        if error.field in form:
            form[error.field].errors.append(str(error))
        flash(str(error), "error")
        return _booking_page(form, service, error.status)
    db.session.commit()
    # Only what the visitor typed is shown back: a customer record matched by e-mail or phone is not.
    session[BOOKED_KEY] = {
        "tenant": current_tenant.id,
        "id": appointment.id,
        "name": details.name,
        "email": details.email.lower(),
        "kind": details.kind,
    }
    return redirect(url_for("booking.thanks"))


@bp.route("/thanks")
def thanks():
    """What was booked, and what happens next."""
    booked = session.get(BOOKED_KEY)
    appointment = None
    if isinstance(booked, dict) and booked.get("tenant") == current_tenant.id and isinstance(booked.get("id"), int):
        appointment = services.appointment_details(booked["id"])
    if appointment is None:
        return redirect(url_for("booking.book"))
    return render_template(
        "appointments/book_thanks.html",
        appointment=appointment,
        booked=booked,
        when=services.local_label(appointment.starts_at),
    )
