"""The refusals of cookie consent: bad input to the consent endpoint or the shop's analytics settings."""

from __future__ import annotations

from saas.core.errors import ServiceError


class ConsentError(ServiceError):
    """A consent choice or an analytics setting that cannot be accepted as sent (400)."""
