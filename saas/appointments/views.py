"""Staff pages: the calendar, booking a customer in, an appointment's actions, and the settings."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from saas.appointments import services, slots
from saas.appointments.forms import AppointmentForm, CancelForm, MoveForm, OpeningHoursForm, ServiceForm
from saas.appointments.models import Appointment, BookableService
from saas.appointments.services import AppointmentError, DayHours
from saas.auth.decorators import permission_required
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import get_or_404
from saas.customers.models import Asset, Customer
from saas.customers.services import customer_search

bp = Blueprint("appointments", __name__, template_folder="templates", url_prefix="/appointments")

VIEWS = ("day", "week")
CUSTOMER_PICKS = 15
MIN_YEAR, MAX_YEAR = 1970, 2999


def _today() -> date:
    return utcnow().astimezone(services.shop_zone()).date()


def _refused(error: AppointmentError, template: str, form=None, **context):
    """Undo the request's changes and show the page again with the reason (400 or 409)."""
    db.session.rollback()
    if form is not None and error.field in form and isinstance(form[error.field].errors, list):
        form[error.field].errors.append(str(error))
    flash(str(error), "error")
    return render_template(template, form=form, **context), error.status


# --- the calendar ------------------------------------------------------------------------


@bp.route("")
@permission_required("appointments.view")
def calendar():
    """The day or week, opening hours shaded, appointments placed by time (fixed number of queries)."""
    view = request.args.get("view", "day")
    if view not in VIEWS:
        view = "day"
    today = _today()
    try:
        anchor = date.fromisoformat(request.args["date"]) if request.args.get("date") else today
    except ValueError:
        abort(400, "Dates look like 2026-11-24.")
    if not MIN_YEAR <= anchor.year <= MAX_YEAR:
        abort(400, f"The calendar covers the years {MIN_YEAR} to {MAX_YEAR}.")
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        days, step = [first + timedelta(days=n) for n in range(7)], timedelta(days=7)
    else:
        days, step = [anchor], timedelta(days=1)
    zone = services.shop_zone()
    start = slots.local_day_bounds(days[0], zone)[0]
    end = slots.local_day_bounds(days[-1], zone)[1]
    hours = services.opening_hours()
    appointments = services.appointments_between(start, end)
    columns, (low, high) = slots.lay_out(days, hours, appointments, zone, today, services.LIVE_STATUSES)
    waiting = services.awaiting_confirmation() if current_user.can("appointments.manage") else []
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
        appointment_count=sum(1 for a in appointments if a.status in services.LIVE_STATUSES),
        waiting=waiting,
        labels=services.STATUS_LABELS,
    )


# --- one appointment ---------------------------------------------------------------------


def _load(appointment_id: int) -> Appointment:
    appointment = services.appointment_details(appointment_id)
    if appointment is None:
        abort(404)
    return appointment


def _show(appointment: Appointment, status: int = 200, move_form=None):
    return (
        render_template(
            "appointments/show.html",
            appointment=appointment,
            labels=services.STATUS_LABELS,
            open_statuses=services.OPEN_STATUSES,
            cancel_form=CancelForm(formdata=None),
            move_form=move_form,
            has_started=appointment.starts_at <= utcnow(),
        ),
        status,
    )


@bp.route("/<int:appointment_id>")
@permission_required("appointments.view")
def show(appointment_id: int):
    """One appointment: who, what, when, and what staff can do with it."""
    return _show(_load(appointment_id))


def _act(appointment_id: int, action, done: str, unmailed: str = ""):
    """Apply `action` (a service returning whether it e-mailed the customer), commit, say what happened."""
    appointment = _load(appointment_id)
    try:
        mailed = action(appointment)
    except AppointmentError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _show(_load(appointment_id), error.status)
    db.session.commit()
    flash(f"{done} We e-mailed {appointment.customer.name}." if mailed else f"{done} {unmailed}".strip(), "success")
    return redirect(url_for("appointments.show", appointment_id=appointment.id))


NO_EMAIL = "The customer has no e-mail address on file: let them know by phone."


@bp.post("/<int:appointment_id>/confirm")
@permission_required("appointments.manage")
def confirm(appointment_id: int):
    """Confirm a requested booking; the customer gets an e-mail."""
    return _act(appointment_id, services.confirm, "Appointment confirmed.", NO_EMAIL)


@bp.post("/<int:appointment_id>/cancel")
@permission_required("appointments.manage")
def cancel(appointment_id: int):
    """Cancel; the time becomes free again."""
    form = CancelForm()
    return _act(
        appointment_id,
        lambda appointment: services.cancel(appointment, notify=form.notify.data),
        "Appointment cancelled.",
    )


@bp.post("/<int:appointment_id>/complete")
@permission_required("appointments.manage")
def complete(appointment_id: int):
    """Mark as done."""
    return _act(appointment_id, services.complete, "Marked as completed.")


@bp.post("/<int:appointment_id>/no-show")
@permission_required("appointments.manage")
def no_show(appointment_id: int):
    """Mark that the customer did not come."""
    return _act(appointment_id, services.no_show, "Marked as a no-show.")


@bp.route("/<int:appointment_id>/move", methods=["GET", "POST"])
@permission_required("appointments.manage")
def move(appointment_id: int):
    """Give an appointment a new time (same checks as a new one); the customer gets an e-mail."""
    appointment = _load(appointment_id)
    local = appointment.starts_at.astimezone(services.shop_zone())
    form = MoveForm(data={"day": local.date(), "start": local.time()} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            mailed = services.move(appointment, services.to_utc(form.day.data, form.start.data))
        except AppointmentError as error:
            db.session.rollback()
            if error.field in form:
                form[error.field].errors.append(str(error))
            flash(str(error), "error")
            return _show(_load(appointment_id), error.status, move_form=form)
        db.session.commit()
        moved = f"Moved to {services.local_label(appointment.starts_at)}."
        flash(f"{moved} We e-mailed {appointment.customer.name}." if mailed else f"{moved} {NO_EMAIL}", "success")
        return redirect(url_for("appointments.show", appointment_id=appointment.id))
    return _show(appointment, 400 if form.errors else 200, move_form=form)


# --- booking a customer in ---------------------------------------------------------------


def _fill_choices(form: AppointmentForm, customer: Customer) -> None:
    form.asset_id.choices = [SelectChoice("", "— none —")] + [
        SelectChoice(str(asset.id), asset.label) for asset in customer.assets
    ]
    form.service_id.choices = [SelectChoice("", "— no particular service —")] + [
        SelectChoice(str(service.id), f"{service.name} ({service.duration_minutes} min)")
        for service in services.service_list()
        if service.active
    ]


def _pick_customer(status: int = 200):
    search = request.args.get("q", "")[:100].strip()
    found = db.session.scalars(customer_search(search).limit(CUSTOMER_PICKS)).all() if search else []
    return render_template(
        "appointments/pick_customer.html",
        search=search,
        customers=found,
        day=request.args.get("date", ""),
        time=request.args.get("time", ""),
    ), status


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
        try:
            form.day.data = date.fromisoformat(request.args.get("date", ""))
        except ValueError:
            form.day.data = _today()
        if request.args.get("time"):
            form.start.process_formdata([request.args["time"]])
    elif form.customer_id.data is None:
        flash("Pick a customer first.", "error")
        return _pick_customer(400)
    customer = get_or_404(Customer, form.customer_id.data)
    _fill_choices(form, customer)
    if form.validate_on_submit():
        asset = get_or_404(Asset, form.asset_id.data) if form.asset_id.data else None
        service = get_or_404(BookableService, form.service_id.data) if form.service_id.data else None
        try:
            appointment = services.create_appointment(
                customer=customer,
                asset=asset,
                service=service,
                starts_at=services.to_utc(form.day.data, form.start.data),
                duration_minutes=form.duration_minutes.data,
                notes=form.notes.data,
                notify=form.notify.data,
            )
        except AppointmentError as error:
            return _refused(error, "appointments/new.html", form, customer=customer)
        db.session.commit()
        flash(f"{customer.name} is booked for {services.local_label(appointment.starts_at)}.", "success")
        return redirect(url_for("appointments.calendar", date=form.day.data.isoformat()))
    return render_template("appointments/new.html", form=form, customer=customer), 400 if form.errors else 200


# --- settings: opening hours and services ------------------------------------------------


@bp.route("/settings")
@permission_required("shop.settings")
def settings():
    """Opening hours and bookable services at a glance, and the link customers book with."""
    return render_template(
        "appointments/settings.html",
        hours=services.opening_hours(),
        day_names=services.DAY_NAMES,
        bookable=services.service_list(),
    )


@bp.route("/settings/hours", methods=["GET", "POST"])
@permission_required("shop.settings")
def hours():
    """When the shop is open, Monday to Sunday."""
    if request.method == "GET":
        current = services.opening_hours()
        days = {
            f"day{weekday}": {
                "is_open": weekday in current,
                "opens_at": current.get(weekday, (None, None))[0],
                "closes_at": current.get(weekday, (None, None))[1],
            }
            for weekday in range(7)
        }
        form = OpeningHoursForm(data=days)
    else:
        form = OpeningHoursForm()
    if form.validate_on_submit():
        try:
            services.save_opening_hours(
                DayHours(weekday, entry.is_open.data, entry.opens_at.data, entry.closes_at.data)
                for weekday, (_, entry) in enumerate(form.day_rows)
            )
        except AppointmentError as error:
            return _refused(error, "appointments/hours.html", form)
        db.session.commit()
        flash("Opening hours saved.", "success")
        return redirect(url_for("appointments.settings"))
    return render_template("appointments/hours.html", form=form), 400 if form.errors else 200


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
    if form.validate_on_submit():
        try:
            saved = services.save_service(
                service,
                name=form.name.data,
                description=form.description.data,
                duration_minutes=form.duration_minutes.data,
                online=form.online.data,
                active=form.active.data,
            )
        except AppointmentError as error:
            return _refused(error, "appointments/service_form.html", form, service=service)
        db.session.commit()
        flash(f"{saved.name} {'saved' if service else 'added'}.", "success")
        return redirect(url_for("appointments.settings"))
    return render_template("appointments/service_form.html", form=form, service=service), 400 if form.errors else 200
