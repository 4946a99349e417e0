"""The shop settings form: profile, currency and timezone, labor rate, tax rates, payment terms."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from zoneinfo import available_timezones

import pycountry
from flask_wtf import FlaskForm
from wtforms import DecimalField, EmailField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

# ISO 4217 codes that are not money a shop charges in: precious metals, fund and test codes.
NOT_MONEY = frozenset({"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX"})


@cache
def currency_choices() -> list[SelectChoice]:
    """`EUR` labelled `EUR · Euro`, for every ISO 4217 currency a shop can charge in."""
    return [
        SelectChoice(code, f"{code} · {name}")
        for code, name in sorted(
            (currency.alpha_3, currency.name) for currency in pycountry.currencies if currency.alpha_3 not in NOT_MONEY
        )
    ]


@cache
def timezone_choices() -> list[SelectChoice]:
    """IANA zones by name (`Europe/Paris`), plus UTC; legacy aliases like `EST5EDT` are left out."""
    zones = sorted(zone for zone in available_timezones() if "/" in zone and not zone.startswith(("Etc/", "SystemV/")))
    return [SelectChoice("UTC", "UTC"), *(SelectChoice(zone, zone.replace("_", " ")) for zone in zones)]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class OneOf:
    """Validator: the value must be one of `choices()`, with a message a person understands."""

    def __init__(self, choices, message: str):
        self.choices = choices
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data not in {choice.value for choice in self.choices()}:
            raise ValidationError(self.message)


class Finite:
    """Validator: a real number (Decimal also parses NaN and Infinity)."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if isinstance(field.data, Decimal) and not field.data.is_finite():
            raise StopValidation(self.message)


class MaxDecimals:
    """Validator: at most `places` digits after the decimal point."""

    def __init__(self, places: int, message: str):
        self.places = places
        self.message = message

    def __call__(self, form, field) -> None:
        if isinstance(field.data, Decimal) and field.data.as_tuple().exponent < -self.places:
            raise ValidationError(self.message)


def percent_field(label: str) -> DecimalField:
    """A tax rate typed as a percentage (8.25), stored by the service as a fraction (0.08250)."""
    return DecimalField(
        label,
        places=None,
        validators=[
            InputRequired("Enter a rate (0 for no tax)."),
            Finite("Enter a rate as a number, e.g. 8.25."),
            NumberRange(min=0, max=100, message="A tax rate is between 0 and 100 %%."),
            MaxDecimals(3, "Use at most 3 decimals, e.g. 8.125."),
        ],
        render_kw={"inputmode": "decimal"},
    )


class ShopSettingsForm(FlaskForm):
    name = StringField(
        "Shop name", filters=[_strip], validators=[DataRequired("Your shop needs a name."), Length(max=120)]
    )
    email = EmailField(
        "E-mail",
        filters=[_strip],
        validators=[Optional(), Email("Enter an e-mail address like shop@example.com."), Length(max=254)],
    )
    phone = StringField(
        "Phone", filters=[_strip], validators=[Optional(), Length(max=40)], render_kw={"inputmode": "tel"}
    )
    address = TextAreaField(
        "Address", filters=[_strip], validators=[Optional(), Length(max=1000)], render_kw={"rows": 3}
    )
    tax_id = StringField("Tax id", filters=[_strip], validators=[Optional(), Length(max=40)])
    currency = SelectField(
        "Currency", validate_choice=False, validators=[OneOf(currency_choices, "Pick a currency from the list.")]
    )
    timezone = SelectField(
        "Timezone", validate_choice=False, validators=[OneOf(timezone_choices, "Pick a timezone from the list.")]
    )
    labor_rate = DecimalField(
        "Default labor rate (per hour)",
        places=None,
        validators=[
            InputRequired("Enter your hourly labor rate."),
            Finite("Enter the rate as a number, e.g. 120.00."),
            NumberRange(min=0, max=Decimal("999999.99"), message="The labor rate is between 0 and 999,999.99."),
            MaxDecimals(2, "Use at most 2 decimals."),
        ],
        render_kw={"inputmode": "decimal"},
    )
    tax_rate_labor = percent_field("Tax on labor")
    tax_rate_parts = percent_field("Tax on parts")
    tax_rate_fees = percent_field("Tax on fees")
    invoice_due_days = IntegerField(
        "Invoices are due after (days)",
        validators=[
            InputRequired("Enter a number of days (0 for due on receipt)."),
            NumberRange(min=0, max=365, message="Between 0 (due on receipt) and 365 days."),
        ],
        render_kw={"inputmode": "numeric"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency.choices = list(currency_choices())
        self.timezone.choices = list(timezone_choices())
