"""What a shop may use, decided by whoever sells plans, without the features knowing who that is.

A feature asks before it grows something a plan may limit; the billing feature listens and
refuses with its own `ServiceError` (an upgrade page), or answers a number:

    limits.require("inspections")                    # staff start an inspection
    limits.require("staff_seats")                    # an invitation is about to be sent
    limits.require("storage_bytes", adding=size)     # an upload, before it is stored
    limits.allowance("storage_bytes")                # how many bytes, or None for no plan limit

With nobody listening (a deployment without billing) everything is allowed.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace

_signals = Namespace()

limit_checked = _signals.signal(
    "limit-checked",
    doc="Sender: the name of what is limited; kwargs: details (e.g. adding=bytes). A listener refuses by raising.",
)
allowance_asked = _signals.signal(
    "allowance-asked",
    doc="Sender: the name of what is limited. A listener answers the current shop's allowance (None: no limit).",
)


def require(name: str, **details: Any) -> None:
    """Ask every listener whether the current shop may use more of `name`; raises their refusal."""
    limit_checked.send(name, **details)


def allowance(name: str) -> int | None:
    """The smallest allowance of `name` any listener answers for the current shop, or None for no limit."""
    answers = [answer for _, answer in allowance_asked.send(name) if answer is not None]
    return min(answers) if answers else None
