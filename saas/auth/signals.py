"""Signals about staff accounts, for features above auth (billing counts seats)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

staff_changed = _signals.signal(
    "staff-changed",
    doc="Sender: the current shop's tenant id. Staff joined or left, or an invitation was sent or withdrawn.",
)

login_failed = _signals.signal(
    "login-failed",
    doc=(
        "Sender: the current shop's tenant id. A staff login was refused; keyword arguments: user_id (None for "
        "an e-mail that is no account here), email (as typed, a valid address), reason (never the password)."
    ),
)
