"""Signals of the console itself: its modules add their parts to the shop page without the page importing them."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

shop_page_panels = _signals.signal(
    "console-shop-page-panels",
    doc="The console's page of a shop is built; sender: the shop's Tenant. Answer a `core.panels.Panel` or None.",
)
