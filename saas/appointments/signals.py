"""Signals of online booking, for the features above that set its rules (privacy: the age to confirm)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

booking_age_asked = _signals.signal(
    "booking-age-asked",
    doc="Sender: the shop (Tenant). Answer the age a person booking online must confirm they have reached, or None.",
)
