"""Forms of privacy requests: the privacy center's request form and the staff's actions on a request."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from saas.privacy.request_models import KIND_LABELS

NOTE_MAX = 5000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def no_nul(form, field) -> None:
    """Refuse a NUL character (the database cannot store it; no person types one)."""
    if isinstance(field.data, str) and "\x00" in field.data:
        raise ValidationError("This holds a character we cannot store. Please type it again.")


class PrivacyRequestForm(FlaskForm):
    """What a shop's customer asks for, and the address the confirmation link goes to."""

    kind = RadioField(
        "What would you like us to do?",
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[DataRequired(message="Choose what you would like us to do.")],
        validate_choice=False,  # an unknown kind is refused by the service, under this field
    )
    email = EmailField(
        "Your e-mail address",
        filters=[_strip],
        validators=[
            DataRequired(message="Enter your e-mail address: the link to confirm your request goes there."),
            no_nul,
            Length(max=254),
            Email(message="Enter your e-mail address, like name@example.com."),
        ],
        render_kw={"autocomplete": "email"},
    )
    details = TextAreaField(
        "Anything we should know (optional)",
        validators=[Optional(), no_nul, Length(max=2000)],
        render_kw={"rows": 4, "maxlength": 2000},
    )


class ConfirmForm(FlaskForm):
    """The button that confirms a request from its mailed link (a POST, so link scanners confirm nothing)."""


class NoteForm(FlaskForm):
    """Complete a request with a note, or refuse it with a reason: the requester reads it."""

    note = TextAreaField(
        "Note", filters=[_strip], validators=[DataRequired(), no_nul, Length(max=NOTE_MAX)], render_kw={"rows": 4}
    )


class ExtendForm(FlaskForm):
    """Extend the deadline by what the law allows, with the reason the requester is told."""

    extension = SelectField("Extend", choices=[], validate_choice=False)
    reason = TextAreaField(
        "Why more time is needed",
        filters=[_strip],
        validators=[DataRequired(), no_nul, Length(max=NOTE_MAX)],
        render_kw={"rows": 3},
    )


class CorrectionForm(FlaskForm):
    """The details a correction request may change (through the customers' own rules)."""

    name = StringField("Name", filters=[_strip], validators=[DataRequired(), no_nul, Length(max=120)])
    email = EmailField("E-mail", filters=[_strip], validators=[Optional(), no_nul, Email(), Length(max=254)])
    phone = StringField(
        "Phone", filters=[_strip], validators=[Optional(), no_nul, Length(max=40)], render_kw={"type": "tel"}
    )
    address = TextAreaField(
        "Address", filters=[_strip], validators=[Optional(), no_nul, Length(max=500)], render_kw={"rows": 3}
    )


class JurisdictionForm(FlaskForm):
    """Which deadline rules the shop's requests follow."""

    jurisdiction = RadioField("Deadlines", choices=[], validate_choice=False)
