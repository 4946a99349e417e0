"""A shop's privacy settings: the age rules of booking and marketing, and its own words in its policy."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.tenancy import active_tenant, active_tenant_id
from saas.privacy import age
from saas.privacy.shop_models import DEFAULT_BOOKING_AGE, ShopPrivacySettings

BOOKING_AGES = range(13, 22)
ADDITIONS_MAX = 4000


class PrivacySettingsError(ServiceError):
    """A privacy setting the shop cannot have; `field` names the form field."""


@dataclass(frozen=True)
class PrivacyChoices:
    """What the owner chose on the privacy settings page."""

    booking_age_check: bool
    booking_minimum_age: int
    marketing_minimum_age: int | None
    policy_additions: str


def shop_settings() -> ShopPrivacySettings:
    """The current shop's settings row, or the defaults (not saved) when it has none yet."""
    found = db.session.scalar(select(ShopPrivacySettings))
    if found is not None:
        return found
    return ShopPrivacySettings(
        booking_age_check=False,
        booking_minimum_age=DEFAULT_BOOKING_AGE,
        marketing_minimum_age=None,
        policy_additions="",
    )


def save_settings(choices: PrivacyChoices) -> ShopPrivacySettings:
    """Check and store the owner's choices (the row is made on the first save)."""
    country = active_tenant().country
    if choices.booking_minimum_age not in BOOKING_AGES:
        raise PrivacySettingsError(
            f"Choose an age from {BOOKING_AGES.start} to {BOOKING_AGES.stop - 1}.", field="booking_minimum_age"
        )
    allowed = age.allowed_marketing_ages(country)
    if choices.marketing_minimum_age is not None and choices.marketing_minimum_age not in allowed:
        raise PrivacySettingsError(
            f"In your country the age for consent is {allowed.start}; choose {allowed.start} to {allowed.stop - 1}.",
            field="marketing_minimum_age",
        )
    additions = (choices.policy_additions or "").replace("\r\n", "\n").strip()
    if len(additions) > ADDITIONS_MAX:
        raise PrivacySettingsError(f"Keep it under {ADDITIONS_MAX} characters.", field="policy_additions")
    settings = locked_settings()
    settings.booking_age_check = choices.booking_age_check
    settings.booking_minimum_age = choices.booking_minimum_age
    settings.marketing_minimum_age = choices.marketing_minimum_age
    settings.policy_additions = additions
    db.session.flush()
    return settings


def locked_settings() -> ShopPrivacySettings:
    """The current shop's settings row, made if missing, locked until commit (one change at a time)."""
    db.session.execute(
        insert(ShopPrivacySettings)
        .values(tenant_id=active_tenant_id())
        .on_conflict_do_nothing(index_elements=["tenant_id"])
    )
    return db.session.scalar(select(ShopPrivacySettings).with_for_update().execution_options(populate_existing=True))


def booking_age_to_confirm() -> int | None:
    """The age a person booking online must confirm, or None when the shop does not ask."""
    settings = shop_settings()
    return settings.booking_minimum_age if settings.booking_age_check else None


def marketing_age(settings: ShopPrivacySettings | None = None) -> int:
    """The age a person must confirm to agree to the current shop's marketing."""
    settings = settings or shop_settings()
    return age.marketing_consent_age(active_tenant().country, settings.marketing_minimum_age)
