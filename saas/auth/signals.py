"""Signals about staff accounts, for features above auth (billing counts seats)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

staff_changed = _signals.signal(
    "staff-changed",
    doc="Sender: the current shop's tenant id. Staff joined or left, or an invitation was sent or withdrawn.",
)
