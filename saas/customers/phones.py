"""Phone numbers: parsed with `phonenumbers` in the shop's country, stored as E.164, shown nicely."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

DEFAULT_REGION = "US"


class InvalidPhoneError(ValueError):
    """A phone number we cannot make sense of; the message is safe to show."""


def _parse(raw: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(raw, (region or DEFAULT_REGION).upper())
    except NumberParseException:
        return None
    # "Possible" (a plausible length for its country) rather than "valid": numbers from ranges
    # the library does not know yet, and 555 test numbers, are still accepted.
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        return None
    return number


def normalize_phone(raw: str | None, region: str | None) -> str | None:
    """`(555) 123-4567` in the US -> `+15551234567`; empty -> None; nonsense -> InvalidPhoneError.

    A number without a leading `+` is read as a number of `region` (the shop's country).
    """
    raw = (raw or "").strip()
    if not raw:
        return None
    number = _parse(raw, region)
    if number is None:
        raise InvalidPhoneError(
            f"“{raw[:40]}” does not look like a phone number. Type it as you would dial it locally, "
            "or with + and the country code."
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def format_phone(e164: str | None, region: str | None) -> str:
    """A stored number for people: national format for the shop's own country, international otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164  # stored before numbers were normalized: show it as it was typed
    home = phonenumbers.country_code_for_region((region or DEFAULT_REGION).upper())
    style = PhoneNumberFormat.NATIONAL if number.country_code == home else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def phone_search_fragments(term: str, region: str | None) -> set[str]:
    """Digit strings to look for in stored E.164 numbers when someone searches for `term`.

    `(555) 123-4567` finds `+15551234567`; so does a partial `123-4567`; a national number with a
    trunk prefix (`020 7946 0958` in the UK) is matched through its parsed national number.
    """
    digits = re.sub(r"\D", "", term)
    if len(digits) < 3 or re.search(r"[^\d\s()+./-]", term):
        return set()
    fragments = {digits}
    number = _parse(term, region)
    if number is not None:
        fragments.add(str(number.national_number))
    return fragments
