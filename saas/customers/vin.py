"""Vehicle identification numbers: format, check digit (position 9), and what they tell about the car.

Decoding uses `vininfo`. The model-year letter (position 10) repeats every 30 years, so `vininfo`
offers several years for one letter; we take the most recent one that is not in the future.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vininfo import Vin
from vininfo.exceptions import ValidationError

from saas.core.db import utcnow

# The check digit is mandatory for vehicles built for North America (WMI 1-5) and China (L),
# and every car on the road in the US or Canada has one. European makers often fill
# position 9 with a letter, so elsewhere it is not required.
CHECK_DIGIT_REGIONS = frozenset("12345L")
CHECK_DIGIT_COUNTRIES = frozenset({"US", "CA"})
_NO_MAKER = "UnsupportedBrand"


@dataclass(frozen=True)
class VinCheck:
    """What we know about a VIN: whether it is acceptable, why not, and what it decodes to."""

    vin: str
    valid: bool
    message: str
    make: str | None = None
    year: int | None = None

    def as_json(self) -> dict:
        """The shape the asset form's lookup expects."""
        return {"vin": self.vin, "valid": self.valid, "message": self.message, "make": self.make, "year": self.year}


def clean_vin(raw: str | None) -> str:
    """Upper case, without spaces or dashes people type to read it back."""
    return re.sub(r"[\s-]", "", raw or "").upper()


def _model_year(vin: Vin) -> int | None:
    this_year = utcnow().year
    return next((year for year in sorted(vin.years, reverse=True) if year <= this_year), None)


def check_vin(raw: str | None, shop_country: str | None = None) -> VinCheck:
    """Validate a VIN (17 characters, no I/O/Q, check digit) and decode maker and model year."""
    number = clean_vin(raw)
    if not number:
        return VinCheck("", False, "Enter the 17-character VIN.")
    try:
        vin = Vin(number)
    except ValidationError:
        if len(number) != 17:
            return VinCheck(number, False, f"A VIN has 17 characters; this one has {len(number)}.")
        return VinCheck(number, False, "A VIN uses only digits and letters except I, O and Q.")
    checksum_ok = vin.verify_checksum()
    required = number[0] in CHECK_DIGIT_REGIONS or (shop_country or "").upper() in CHECK_DIGIT_COUNTRIES
    if required and not checksum_ok:
        return VinCheck(
            number,
            False,
            "The check digit (9th character) does not match the rest of this VIN: please look for a typo.",
        )
    make = vin.manufacturer if vin.manufacturer and vin.manufacturer != _NO_MAKER else None
    # The model-year letter only means a year in VINs that follow the check-digit standard.
    year = _model_year(vin) if checksum_ok else None
    decoded = ", ".join(str(part) for part in (make, year) if part)
    message = ("VIN checks out" if checksum_ok else "VIN accepted (its maker does not use the check digit)") + (
        f": {decoded}." if decoded else "."
    )
    return VinCheck(number, True, message, make, year)
