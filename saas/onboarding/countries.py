"""Country choices for signup (ISO 3166-1 alpha-2, from pycountry)."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def country_choices() -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name."""
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1])


def is_country_code(code: str) -> bool:
    """True for a known ISO 3166-1 alpha-2 code."""
    return pycountry.countries.get(alpha_2=(code or "").upper()) is not None
