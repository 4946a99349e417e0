"""Signals of the access log, for the features whose records it names (customers)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

subject_names = _signals.signal(
    "access-log-subject-names",
    doc="Sender: a subject type (e.g. 'customer'); kwargs: ids. Answer {id: name} for those of your subjects.",
)
