"""Form fields and validators shared by several features."""

from __future__ import annotations

from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from saas.auth.passwords import MAX_LENGTH, password_problem


class PasswordRules:
    """Validator: our password rules (length, not the e-mail)."""

    def __init__(self, email_field: str | None = None):
        self.email_field = email_field

    def __call__(self, form, field) -> None:
        email = form[self.email_field].data if self.email_field else getattr(form, "known_email", None)
        problem = password_problem(field.data or "", email)
        if problem:
            raise ValidationError(problem)


def new_password_fields(email_field: str | None = None):
    """A password and its confirmation, as used by signup, reset and invitations."""
    password = PasswordField(
        "Password",
        validators=[DataRequired(), PasswordRules(email_field)],
        render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH},
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm
