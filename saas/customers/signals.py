"""Signals about a customer, for the features that hold records of theirs (work orders, invoices,
appointments, documents...). Those features listen in their `listeners.py`; customers imports none
of them. The privacy center uses the same signals for access, portability and erasure.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

page_panels = _signals.signal(
    "customer-page-panels",
    doc="Sender: the customer; kwargs: user. Answer a `Panel` for the customer's page, or None.",
)
history_asked = _signals.signal(
    "customer-history-asked",
    doc="Sender: the customer. Answer what you keep of theirs that outlives a deletion (e.g. '3 invoices'), or None.",
)
deleting = _signals.signal(
    "customer-deleting",
    doc="Sender: the customer, who has no history and is being deleted. Delete your rows (and files) of theirs.",
)
data_exported = _signals.signal(
    "customer-data-exported",
    doc="Sender: the customer. Answer a dict of named sections (lists of JSON-ready rows) for their data export.",
)
