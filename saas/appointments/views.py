"""Staff pages: the calendar, booking a customer in, an appointment's actions, and the settings."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from saas.appointments import booking, queries, schedule, slots
from saas.appointments.forms import AppointmentForm, CancelForm, MoveForm, OpeningHoursForm, ServiceForm
from saas.appointments.models import LIVE_STATUSES, OPEN_STATUSES, STATUS_LABELS, Appointment, BookableService
from saas.appointments.schedule import DayHours
from saas.auth.decorators import permission_required
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.requests import FormPage
from saas.core.tenancy import get_or_404
from saas.customers.models import Asset, Customer
from saas.customers.services import customer_search

bp = Blueprint("appointments", __name__, template_folder="templates", url_prefix="/appointments")

VIEWS = ("day", "week")
CUSTOMER_PICKS = 15
MIN_YEAR, MAX_YEAR = 1970, 2999


def _today() -> date:
    return utcnow().astimezone(schedule.shop_zone()).date()


def _date_arg() -> date | None:
    """`?date=` (e.g. 2026-11-24) as a date; None when it is absent or not a date."""
    try:
        return date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        return None


# --- the calendar ------------------------------------------------------------------------


@bp.route("")
@permission_required("appointments.view")
def calendar():
    """The day or week, opening hours shaded, appointments placed by time (fixed number of queries)."""
    view = request.args.get("view", "day")
    if view not in VIEWS:
        view = "day"
    today = _today()
    anchor = _date_arg() if request.args.get("date") else today
    if anchor is None:
        abort(400, "Dates look like 2026-11-24.")
    if not MIN_YEAR <= anchor.year <= MAX_YEAR:
        abort(400, f"The calendar covers the years {MIN_YEAR} to {MAX_YEAR}.")
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        days, step = [first + timedelta(days=n) for n in range(7)], timedelta(days=7)
    else:
        days, step = [anchor], timedelta(days=1)
    zone = schedule.shop_zone()
    start = slots.local_day_bounds(days[0], zone)[0]
    end = slots.local_day_bounds(days[-1], zone)[1]
    hours = schedule.opening_hours()
    appointments = queries.appointments_between(start, end)
    columns, (low, high) = slots.lay_out(days, hours, appointments, zone, today, LIVE_STATUSES)
    waiting = queries.awaiting_confirmation() if current_user.can("appointments.manage") else []
    return render_template(
        "appointments/calendar.html",
        view=view,
        anchor=anchor,
        days=days,
        today=today,
        previous=anchor - step,
        following=anchor + step,
        columns=columns,
        low=low,
        high=high,
        has_hours=bool(hours),
        appointment_count=sum(1 for a in appointments if a.status in LIVE_STATUSES),
        waiting=waiting,
        labels=STATUS_LABELS,
    )


# --- one appointment ---------------------------------------------------------------------


def _load(appointment_id: int) -> Appointment:
    appointment = queries.appointment_details(appointment_id)
    if appointment is None:
        abort(404)
    return appointment


def _show_page(appointment: Appointment, move_form: MoveForm | None = None) -> str:
    return render_template(
        "appointments/show.html",
        appointment=appointment,
        labels=STATUS_LABELS,
        open_statuses=OPEN_STATUSES,
        cancel_form=CancelForm(formdata=None),
        move_form=move_form,
        has_started=appointment.starts_at <= utcnow(),
    )


@bp.route("/<int:appointment_id>")
@permission_required("appointments.view")
def show(appointment_id: int):
    """One appointment: who, what, when, and what staff can do with it."""
    return _show_page(_load(appointment_id))


NO_EMAIL = "The customer has no e-mail address on file: let them know by phone."


def _act(appointment_id: int, action, done: str, unmailed: str = ""):
    """Apply `action` (a service returning whether it e-mailed the customer) and say what happened;
    a refusal shows the appointment again with the reason."""
    appointment = _load(appointment_id)
    FormPage(lambda: _show_page(_load(appointment_id)))
    mailed = action(appointment)
    flash(f"{done} We e-mailed {appointment.customer.name}." if mailed else f"{done} {unmailed}".strip(), "success")
    return redirect(url_for("appointments.show", appointment_id=appointment.id))


@bp.post("/<int:appointment_id>/confirm")
@permission_required("appointments.manage")
def confirm(appointment_id: int):
    """Confirm a requested booking; the customer gets an e-mail."""
    return _act(appointment_id, booking.confirm, "Appointment confirmed.", NO_EMAIL)


@bp.post("/<int:appointment_id>/cancel")
@permission_required("appointments.manage")
def cancel(appointment_id: int):
    """Cancel; the time becomes free again."""
    form = CancelForm()
    return _act(
        appointment_id,
        lambda appointment: booking.cancel(appointment, notify=form.notify.data),
        "Appointment cancelled.",
    )


@bp.post("/<int:appointment_id>/complete")
@permission_required("appointments.manage")
def complete(appointment_id: int):
    """Mark as done."""
    return _act(appointment_id, booking.complete, "Marked as completed.")


@bp.post("/<int:appointment_id>/no-show")
@permission_required("appointments.manage")
def no_show(appointment_id: int):
    """Mark that the customer did not come."""
    return _act(appointment_id, booking.no_show, "Marked as a no-show.")


@bp.route("/<int:appointment_id>/move", methods=["GET", "POST"])
@permission_required("appointments.manage")
def move(appointment_id: int):
    """Give an appointment a new time (same checks as a new one); the customer gets an e-mail."""
    appointment = _load(appointment_id)
    local = appointment.starts_at.astimezone(schedule.shop_zone())
    form = MoveForm(data={"day": local.date(), "start": local.time()} if request.method == "GET" else None)
    page = FormPage(lambda: _show_page(_load(appointment_id), move_form=form), form)
    if form.validate_on_submit():
        mailed = booking.move(appointment, schedule.to_utc(form.day.data, form.start.data))
        moved = f"Moved to {schedule.local_label(appointment.starts_at)}."
        flash(f"{moved} We e-mailed {appointment.customer.name}." if mailed else f"{moved} {NO_EMAIL}", "success")
        return redirect(url_for("appointments.show", appointment_id=appointment.id))
    return page.show()


# --- booking a customer in ---------------------------------------------------------------


def _fill_choices(form: AppointmentForm, customer: Customer) -> None:
    form.asset_id.choices = [SelectChoice("", "— none —")] + [
        SelectChoice(str(asset.id), asset.label) for asset in customer.assets
    ]
    form.service_id.choices = [SelectChoice("", "— no particular service —")] + [
        SelectChoice(str(service.id), f"{service.name} ({service.duration_minutes} min)")
        for service in schedule.service_list()
        if service.active
    ]


def _pick_customer() -> str:
    search = request.args.get("q", "")[:100].strip()
    found = db.session.scalars(customer_search(search).limit(CUSTOMER_PICKS)).all() if search else []
    return render_template(
        "appointments/pick_customer.html",
        search=search,
        customers=found,
        day=request.args.get("date", ""),
        time=request.args.get("time", ""),
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required("appointments.manage")
def new():
    """Book a customer in: pick the customer first (search or ?customer_id=), then the time."""
    form = AppointmentForm()
    if request.method == "GET":
        customer_id = request.args.get("customer_id", type=int)
        if customer_id is None:
            return _pick_customer()
        form.customer_id.data = customer_id
        form.day.data = _date_arg() or _today()
        if request.args.get("time"):
            form.start.process_formdata([request.args["time"]])
    elif form.customer_id.data is None:
        flash("Pick a customer first.", "error")
        return _pick_customer(), 400
    customer = get_or_404(Customer, form.customer_id.data)
    _fill_choices(form, customer)
    page = FormPage(lambda: render_template("appointments/new.html", form=form, customer=customer), form)
    if form.validate_on_submit():
        appointment = booking.create_appointment(
            customer=customer,
            asset=get_or_404(Asset, form.asset_id.data) if form.asset_id.data else None,
            service=get_or_404(BookableService, form.service_id.data) if form.service_id.data else None,
            starts_at=schedule.to_utc(form.day.data, form.start.data),
            duration_minutes=form.duration_minutes.data,
            notes=form.notes.data,
            notify=form.notify.data,
        )
        flash(f"{customer.name} is booked for {schedule.local_label(appointment.starts_at)}.", "success")
        return redirect(url_for("appointments.calendar", date=form.day.data.isoformat()))
    return page.show()


# --- settings: opening hours and services ------------------------------------------------


@bp.route("/settings")
@permission_required("shop.settings")
def settings():
    """Opening hours and bookable services at a glance, and the link customers book with."""
    return render_template(
        "appointments/settings.html",
        hours=schedule.opening_hours(),
        day_names=schedule.DAY_NAMES,
        bookable=schedule.service_list(),
    )


def _hours_form() -> OpeningHoursForm:
    """The opening hours form: the shop's current hours on GET, what was sent on POST."""
    if request.method != "GET":
        return OpeningHoursForm()
    current = schedule.opening_hours()
    return OpeningHoursForm(
        data={
            f"day{weekday}": {
                "is_open": weekday in current,
                "opens_at": current.get(weekday, (None, None))[0],
                "closes_at": current.get(weekday, (None, None))[1],
            }
            for weekday in range(7)
        }
    )


@bp.route("/settings/hours", methods=["GET", "POST"])
@permission_required("shop.settings")
def hours():
    """When the shop is open, Monday to Sunday."""
    form = _hours_form()
    page = FormPage(lambda: render_template("appointments/hours.html", form=form), form)
    if form.validate_on_submit():
        schedule.save_opening_hours(
            DayHours(weekday, entry.is_open.data, entry.opens_at.data, entry.closes_at.data)
            for weekday, (_, entry) in enumerate(form.day_rows)
        )
        flash("Opening hours saved.", "success")
        return redirect(url_for("appointments.settings"))
    return page.show()


@bp.route("/settings/services/new", methods=["GET", "POST"])
@permission_required("shop.settings")
def new_service():
    """Add a bookable service."""
    return _edit_service(None)


@bp.route("/settings/services/<int:service_id>/edit", methods=["GET", "POST"])
@permission_required("shop.settings")
def edit_service(service_id: int):
    """Change a bookable service (or retire it)."""
    return _edit_service(get_or_404(BookableService, service_id))


def _edit_service(service: BookableService | None):
    form = ServiceForm(obj=service)
    page = FormPage(lambda: render_template("appointments/service_form.html", form=form, service=service), form)
    if form.validate_on_submit():
        saved = schedule.save_service(
            service,
            name=form.name.data,
            description=form.description.data,
            duration_minutes=form.duration_minutes.data,
            online=form.online.data,
            active=form.active.data,
        )
        flash(f"{saved.name} {'saved' if service else 'added'}.", "success")
        return redirect(url_for("appointments.settings"))
    return page.show()
