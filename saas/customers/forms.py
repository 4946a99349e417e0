"""Customer forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class CustomerForm(FlaskForm):
    name = StringField("Name", filters=[_strip], validators=[DataRequired(), Length(max=120)],
                       render_kw={"autofocus": True})
    email = EmailField("E-mail", filters=[_strip], validators=[Optional(), Email(), Length(max=254)])
    phone = StringField("Phone", filters=[_strip], validators=[Optional(), Length(max=40)],
                        render_kw={"inputmode": "tel"})
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])
