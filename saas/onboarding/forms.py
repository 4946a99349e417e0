"""The signup form, and the form that finds a shop's login page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from saas.auth.forms import new_password_fields
from saas.onboarding.countries import country_choices, is_country_code
from saas.onboarding.subdomains import normalize_subdomain, shop_exists, subdomain_problem


class SignupForm(FlaskForm):
    shop_name = StringField(
        "Shop name",
        validators=[DataRequired(), Length(max=120)],
        render_kw={"autofocus": True, "autocomplete": "organization"},
    )
    subdomain = StringField(
        "Your shop's address",
        filters=[normalize_subdomain],
        validators=[DataRequired()],
        render_kw={"autocapitalize": "none", "spellcheck": "false", "maxlength": 40},
    )
    owner_name = StringField(
        "Your name", validators=[DataRequired(), Length(max=120)], render_kw={"autocomplete": "name"}
    )
    email = EmailField(
        "E-mail", validators=[DataRequired(), Email(), Length(max=254)], render_kw={"autocomplete": "email"}
    )
    password, confirm = new_password_fields(email_field="email")
    country = SelectField(
        "Country",
        validators=[DataRequired(message="Please choose your country from the list.")],
        validate_choice=False,
    )
    accept_policies = BooleanField(validators=[DataRequired(message="Please accept the terms and the privacy policy.")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", "Choose your country")] + country_choices()

    def validate_country(self, field) -> None:
        if not is_country_code(field.data):
            raise ValidationError("Please choose your country from the list.")

    def validate_subdomain(self, field) -> None:
        problem = subdomain_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class FindShopForm(FlaskForm):
    subdomain = StringField("Your shop's address", filters=[normalize_subdomain], validators=[DataRequired()])

    def validate_subdomain(self, field) -> None:
        if not shop_exists(field.data):
            raise ValidationError("We could not find a shop at that address.")
