"""Signals the core sends. Features listen in their `listeners.py` (wired up by `create_app`)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

layout_banners = _signals.signal(
    "layout-banners",
    doc="A shop page is being laid out. Answer a `Panel` to show a banner above its content, or None.",
)
