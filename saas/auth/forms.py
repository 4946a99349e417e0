"""Forms for logging in, resetting passwords and managing staff."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from saas.auth.passwordfields import new_password_fields
from saas.auth.roles import Role


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


def role_choices(roles) -> list[tuple[str, str]]:
    """Select options for a list of roles."""
    return [(role.value, Role(role).label) for role in roles]


class InviteForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField("Role", validators=[DataRequired()])


class StaffRoleForm(FlaskForm):
    role = SelectField("Role", validators=[DataRequired()])
