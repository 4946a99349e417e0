"""Forms for logging in, resetting passwords and managing staff, and the new-password fields
that signup, reset and invitations share."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from saas.auth.passwords import MAX_LENGTH, password_problem
from saas.auth.roles import Role

# --- a new password, as chosen at signup, on reset and when joining -----------------------


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
    """A password and its confirmation, as used by signup, reset and invitations.

    The password may not be the e-mail: the form's `email_field`, or else its `known_email`.
    """
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


# --- logging in and resetting -------------------------------------------------------------


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=128)], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField("Keep me logged in on this device")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "E-mail",
        validators=[DataRequired(), Email(), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()


class AcceptInvitationForm(FlaskForm):
    name = StringField(
        "Your name", validators=[DataRequired(), Length(max=120)], render_kw={"autocomplete": "name", "autofocus": True}
    )
    password, confirm = new_password_fields()


# --- staff --------------------------------------------------------------------------------


def role_choices(roles) -> list[tuple[str, str]]:
    """Select options for a list of roles."""
    return [(role.value, Role(role).label) for role in roles]


class InviteForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", validators=[DataRequired()])


class StaffRoleForm(FlaskForm):
    role = SelectField("Role", validators=[DataRequired()])
