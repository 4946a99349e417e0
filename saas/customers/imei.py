"""IMEIs: the 15-digit number of a phone or tablet, whose last digit is a Luhn check digit."""

from __future__ import annotations

from stdnum import imei


def imei_in(serial: str | None) -> str | None:
    """The IMEI in `serial` if it looks like one (15 digits, spaces or dashes allowed), else None."""
    compact = imei.compact(serial or "")
    return compact if compact.isascii() and compact.isdigit() and len(compact) == 15 else None


def is_valid_imei(number: str) -> bool:
    """True when the 15 digits' check digit is right (a typo is usually caught)."""
    return imei.is_valid(number)
