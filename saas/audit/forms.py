"""The access log's search form (a GET form: no CSRF token, bookmarkable)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from saas.audit.services import ACTIONS
from saas.core.tenancy import MAX_ID


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class LogSearchForm(FlaskForm):
    """Who, what, when and words in the description; any part may be left empty."""

    class Meta:
        csrf = False

    customer_id = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(1, MAX_ID)])
    user_id = SelectField("Staff member", coerce=_optional_int, validate_choice=False)
    action = SelectField(
        "Action",
        choices=[SelectChoice("", "Any action"), *(SelectChoice(key, label) for key, label in ACTIONS.items())],
        validate_choice=False,
    )
    since = DateField("From", validators=[Optional()])
    until = DateField("Until", validators=[Optional()])
    q = StringField(
        "Description contains",
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[Optional(), Length(max=100)],
        render_kw={"placeholder": "e.g. invoice, PDF, export"},
    )

    def validate_user_id(self, field) -> None:
        if field.data is not None and field.data not in {
            choice.value for choice in field.choices if choice.value != ""
        }:
            raise ValidationError("Pick someone from the list.")

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date is before the start date.")
