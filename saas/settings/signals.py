"""Signals of the shop's settings page, for features that show their own settings there."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

page_panels = _signals.signal(
    "settings-page-panels",
    doc="Sender: the shop (Tenant); kwargs: user. Answer a `Panel` for the settings page's side column, or None.",
)
