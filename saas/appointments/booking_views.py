"""The public booking page on the shop's subdomain: no login, the host decides the shop."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from saas.appointments import booking, queries, schedule, slots
from saas.appointments.forms import BookingForm
from saas.appointments.models import BookableService
from saas.core.extensions import limiter
from saas.core.requests import FormPage
from saas.core.tenancy import current_tenant, get_or_404

bp = Blueprint("booking", __name__, template_folder="templates", url_prefix="/book")

BOOKED_KEY = "booked_appointment"
FIRST_DAYS_OPEN = 3


def _choose_service() -> str:
    return render_template(
        "appointments/book_index.html",
        offered=schedule.online_services(),
        has_hours=bool(schedule.opening_hours()),
    )


def _booking_page(form: BookingForm, service: BookableService) -> str:
    zone = schedule.shop_zone()
    chosen = form.slot.data or ""
    slot_days = []
    for index, (day, day_slots) in enumerate(slots.group_by_local_day(queries.available_slots(service), zone)):
        options = [(slot.isoformat(), slot.astimezone(zone).strftime("%H:%M")) for slot in day_slots]
        # The first days show their times; later ones fold away unless they hold the chosen time.
        unfolded = index < FIRST_DAYS_OPEN or chosen in {value for value, _ in options}
        slot_days.append((day, options, unfolded))
    return render_template(
        "appointments/book.html",
        form=form,
        service=service,
        slot_days=slot_days,
        zone=zone,
        chosen=chosen,
        minimum_age=booking.age_to_confirm(),
    )


@bp.route("", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def book():
    """Pick a service, then a free time, and say who you are and what you bring."""
    form = BookingForm()
    service_id = form.service_id.data if request.method == "POST" else request.args.get("service", type=int)
    services_page = FormPage(_choose_service)
    if service_id is None:
        if request.method == "POST":
            flash("Pick a service first.", "error")
            return services_page.show(400)
        return services_page.show()
    service = schedule.bookable_service(get_or_404(BookableService, service_id))
    page = FormPage(lambda: _booking_page(form, service), form)
    if request.method == "GET":
        form.service_id.data = service.id
        return page.show()
    if not form.validate_on_submit():
        flash("Please check the highlighted fields.", "error")
        return page.show()
    details = form.details()
    appointment = booking.book_online(service, form.starts_at, details)
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
        appointment = queries.appointment_details(booked["id"])
    if appointment is None:
        return redirect(url_for("booking.book"))
    return render_template(
        "appointments/book_thanks.html",
        appointment=appointment,
        booked=booked,
        when=schedule.local_label(appointment.starts_at),
    )
