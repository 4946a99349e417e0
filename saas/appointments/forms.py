"""Forms for opening hours, bookable services, staff appointments and the public booking page."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from saas.appointments.matching import BookingDetails
from saas.appointments.schedule import DAY_NAMES, MAX_DURATION, MIN_DURATION
from saas.customers.models import AssetKind

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def optional_int(value):
    """Coerce a select's value: empty means none; anything else must be a whole number."""
    if value in (None, "", "None"):
        return None
    return int(value)


# --- settings ----------------------------------------------------------------------------


class DayHoursForm(Form):
    """One weekday's hours (a sub-form, so no CSRF token of its own)."""

    is_open = BooleanField("Open")
    opens_at = TimeField("Opens", format=TIME_FORMATS, validators=[Optional()])
    closes_at = TimeField("Closes", format=TIME_FORMATS, validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.is_open.data:
            return valid
        if self.opens_at.data is None:
            self.opens_at.errors = [*self.opens_at.errors, "When does the shop open?"]
            valid = False
        if self.closes_at.data is None:
            self.closes_at.errors = [*self.closes_at.errors, "When does the shop close?"]
            valid = False
        if valid and self.closes_at.data <= self.opens_at.data:
            self.closes_at.errors = [*self.closes_at.errors, "Closing must be after opening."]
            valid = False
        return valid


class OpeningHoursForm(FlaskForm):
    """Monday to Sunday: fields `day0` (Monday) to `day6`, each a `DayHoursForm`."""

    @property
    def day_rows(self):
        """(name, sub-form) for each weekday, Monday first."""
        return [(name, self[f"day{weekday}"]) for weekday, name in enumerate(DAY_NAMES)]


# One named sub-form per weekday (not a FieldList, which renumbers the days a browser leaves out).
for _weekday, _name in enumerate(DAY_NAMES):
    setattr(OpeningHoursForm, f"day{_weekday}", FormField(DayHoursForm, label=_name))


class ServiceForm(FlaskForm):
    """A bookable service."""

    name = StringField(
        "Name",
        filters=[_strip],
        validators=[DataRequired(), Length(max=120)],
        render_kw={"autofocus": True, "placeholder": "Oil change"},
    )
    description = TextAreaField("Description", filters=[_strip], validators=[Optional(), Length(max=2000)])
    duration_minutes = IntegerField(
        "Duration (minutes)",
        default=60,
        validators=[InputRequired(message="How long does it take?"), NumberRange(MIN_DURATION, MAX_DURATION)],
        render_kw={"inputmode": "numeric", "min": MIN_DURATION, "max": MAX_DURATION, "step": 5},
    )
    online = BooleanField("Customers can book it online", default=True)
    active = BooleanField("Offered (untick to retire it; past appointments keep it)", default=True)


# --- staff appointments ------------------------------------------------------------------


class AppointmentForm(FlaskForm):
    """Staff book a customer in."""

    customer_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(message="Pick a customer first.")])
    asset_id = SelectField("Vehicle or device", coerce=optional_int, validate_choice=False)
    service_id = SelectField("Service", coerce=optional_int, validate_choice=False)
    day = DateField("Date", validators=[InputRequired(message="Pick a date.")])
    start = TimeField(
        "Start time", format=TIME_FORMATS, validators=[InputRequired(message="Pick a time.")], render_kw={"step": 900}
    )
    duration_minutes = IntegerField(
        "Duration (minutes)",
        validators=[Optional(), NumberRange(MIN_DURATION, MAX_DURATION)],
        render_kw={"inputmode": "numeric", "min": MIN_DURATION, "max": MAX_DURATION, "step": 5},
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])
    notify = BooleanField("E-mail the customer a confirmation", default=True)


class MoveForm(FlaskForm):
    """A new time for an appointment."""

    day = DateField("New date", validators=[InputRequired(message="Pick a date.")])
    start = TimeField(
        "New start time",
        format=TIME_FORMATS,
        validators=[InputRequired(message="Pick a time.")],
        render_kw={"step": 900},
    )


class CancelForm(FlaskForm):
    """Cancel, and say so to the customer unless told not to."""

    notify = BooleanField("E-mail the customer", default=True)


# --- public booking ----------------------------------------------------------------------


def parse_slot(value: str | None) -> datetime | None:
    """A time as the booking page offers it (ISO 8601 with its UTC offset), in UTC; None if it is not one."""
    try:
        moment = datetime.fromisoformat(value or "")
        return moment.astimezone(UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None


class BookingForm(FlaskForm):
    """The public booking page: a time, who you are, what you bring."""

    service_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(message="Pick a service.")])
    # Rendered as one radio button per free time (see the template), so not a hidden field.
    slot = StringField("Time", validators=[InputRequired(message="Pick a time.")])
    name = StringField(
        "Your name", filters=[_strip], validators=[DataRequired(), Length(max=120)], render_kw={"autocomplete": "name"}
    )
    email = EmailField(
        "E-mail",
        filters=[_strip],
        validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    phone = StringField(
        "Phone",
        filters=[_strip],
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "tel", "inputmode": "tel", "type": "tel"},
    )
    kind = RadioField(
        "What are you bringing?",
        choices=[SelectChoice(AssetKind.VEHICLE.value, "A vehicle"), SelectChoice(AssetKind.DEVICE.value, "A device")],
        default=AssetKind.VEHICLE.value,
    )
    # No Optional() on plate and device_type: it would stop the checks below on an empty field.
    plate = StringField("Licence plate", filters=[_strip], validators=[Length(max=20)])
    vin = StringField("VIN", filters=[_strip], validators=[Optional(), Length(max=24)])
    make = StringField("Make / brand", filters=[_strip], validators=[Optional(), Length(max=60)])
    model = StringField("Model", filters=[_strip], validators=[Optional(), Length(max=60)])
    device_type = StringField(
        "Device", filters=[_strip], validators=[Length(max=40)], render_kw={"placeholder": "Phone, laptop, tablet…"}
    )
    serial = StringField("Serial number or IMEI", filters=[_strip], validators=[Optional(), Length(max=40)])
    notes = TextAreaField("What should the shop know?", filters=[_strip], validators=[Optional(), Length(max=2000)])
    consent = BooleanField(
        "I agree that the shop uses my details to handle this booking, as its privacy notice describes.",
        validators=[DataRequired(message="Please agree so the shop may use your details for this booking.")],
    )
    # Shown only where the shop asks for it (booking.age_to_confirm); the booking rules check it.
    age_confirmed = BooleanField("I confirm my age")

    @property
    def starts_at(self) -> datetime | None:
        """The chosen time, in UTC (None when the slot is not one the page offers)."""
        return parse_slot(self.slot.data)

    def details(self) -> BookingDetails:
        """Who books and what they bring, as the booking rules take it."""
        return BookingDetails(
            name=self.name.data,
            email=self.email.data,
            phone=self.phone.data,
            kind=self.kind.data,
            plate=self.plate.data or "",
            vin=self.vin.data or "",
            make=self.make.data or "",
            model=self.model.data or "",
            device_type=self.device_type.data or "",
            serial=self.serial.data or "",
            notes=self.notes.data or "",
            age_confirmed=bool(self.age_confirmed.data),
        )

    def validate_slot(self, field) -> None:
        if parse_slot(field.data) is None:
            raise ValidationError("Pick one of the times shown.")

    def validate_plate(self, field) -> None:
        if self.kind.data == AssetKind.VEHICLE and not (field.data or self.vin.data):
            raise ValidationError("Enter the licence plate or the VIN.")

    def validate_device_type(self, field) -> None:
        if self.kind.data == AssetKind.DEVICE and not (field.data or self.make.data or self.model.data):
            raise ValidationError("Tell us which device (for example “iPhone 13” or “Dell laptop”).")
