"""Forms of the shop's privacy pages: its settings, publishing its policy, a customer's re-confirmation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from saas.privacy import age
from saas.privacy.policy_versions import SUMMARY_MAX
from saas.privacy.shop_settings import ADDITIONS_MAX, BOOKING_AGES


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class PrivacySettingsForm(FlaskForm):
    """Age rules and the shop's own words in its policy."""

    booking_age_check = BooleanField("Ask people who book online to confirm their age")
    booking_minimum_age = IntegerField(
        "Minimum age to book online",
        validators=[InputRequired(message="Which age?"), NumberRange(BOOKING_AGES.start, BOOKING_AGES.stop - 1)],
        render_kw={"inputmode": "numeric", "min": BOOKING_AGES.start, "max": BOOKING_AGES.stop - 1},
    )
    marketing_minimum_age = SelectField("Age to agree to offers and news", coerce=_optional_int, validate_choice=True)
    policy_additions = TextAreaField(
        "Anything to add to your privacy policy",
        filters=[_strip],
        validators=[Optional(), Length(max=ADDITIONS_MAX)],
        render_kw={"rows": 5},
    )

    def offer_marketing_ages(self, country: str | None, country_label: str) -> None:
        """The choices a shop in `country` has: its legal age (the default) or a higher one."""
        legal = age.legal_consent_age(country)
        self.marketing_minimum_age.choices = [
            SelectChoice("", f"The age for consent in {country_label}: {legal}"),
            *(SelectChoice(str(years), str(years)) for years in age.allowed_marketing_ages(country) if years > legal),
        ]


class PublishForm(FlaskForm):
    """Publish what the settings generate now, as the next version."""

    seen_hash = HiddenField(validators=[InputRequired()])
    material = BooleanField("This change matters to how customers' data is used (a material change)")
    summary = TextAreaField(
        "What changed, in a few words",
        filters=[_strip],
        validators=[Optional(), Length(max=SUMMARY_MAX)],
        render_kw={"rows": 3},
    )


class ReconfirmForm(FlaskForm):
    """A customer keeps or ends their agreement to receive offers."""

    age_confirmed = BooleanField()
