"""Customer and asset forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from saas.core.db import utcnow
from saas.customers.models import AssetKind, ContactChannel

CONTACT_CHOICES = [
    SelectChoice(ContactChannel.EMAIL.value, "E-mail"),
    SelectChoice(ContactChannel.PHONE.value, "Phone call"),
    SelectChoice(ContactChannel.SMS.value, "Text message (SMS)"),
]
KIND_CHOICES = [SelectChoice(AssetKind.VEHICLE.value, "Vehicle"), SelectChoice(AssetKind.DEVICE.value, "Device")]
DEVICE_TYPES = ["Phone", "Tablet", "Laptop", "Desktop", "Game console", "Smartwatch", "Other"]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CustomerForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[_strip],
        validators=[DataRequired(), Length(max=120)],
        render_kw={"autofocus": True, "autocomplete": "off"},
    )
    email = EmailField("E-mail", filters=[_strip], validators=[Optional(), Email(), Length(max=254)])
    phone = StringField(
        "Phone",
        filters=[_strip],
        validators=[Optional(), Length(max=40)],
        render_kw={"inputmode": "tel", "type": "tel"},
    )
    address = TextAreaField(
        "Address", filters=[_strip], validators=[Optional(), Length(max=500)], render_kw={"rows": 3}
    )
    preferred_contact = SelectField("Preferred contact", choices=CONTACT_CHOICES, default=ContactChannel.EMAIL.value)
    marketing_consent = BooleanField("Agrees to receive offers and news (marketing)")
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])


class AssetForm(FlaskForm):
    kind = SelectField("Kind", choices=KIND_CHOICES, default=AssetKind.VEHICLE.value)
    make = StringField("Make", filters=[_strip], validators=[Optional(), Length(max=60)])
    model = StringField("Model", filters=[_strip], validators=[Optional(), Length(max=60)])
    year = IntegerField("Year", validators=[Optional()], render_kw={"inputmode": "numeric"})
    # vehicles
    vin = StringField(
        "VIN",
        filters=[_strip],
        validators=[Optional(), Length(max=40)],
        render_kw={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"},
    )
    plate = StringField(
        "License plate",
        filters=[_strip],
        validators=[Optional(), Length(max=20)],
        render_kw={"autocapitalize": "characters"},
    )
    plate_region = StringField("Plate region", filters=[_strip], validators=[Optional(), Length(max=40)])
    odometer = IntegerField(
        "Odometer", validators=[Optional(), NumberRange(min=0, max=9_999_999)], render_kw={"inputmode": "numeric"}
    )
    # devices
    device_type = StringField(
        "Device type", filters=[_strip], validators=[Optional(), Length(max=40)], render_kw={"list": "device-types"}
    )
    serial = StringField(
        "Serial number or IMEI",
        filters=[_strip],
        validators=[Optional(), Length(max=40)],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})

    def validate_year(self, field) -> None:
        """A model year: not before cars were common, at most next year's models."""
        if field.data is not None and not 1900 <= field.data <= utcnow().year + 1:
            raise ValidationError("Enter a year like 2019.")
