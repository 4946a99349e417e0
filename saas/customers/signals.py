"""Signals about a customer, for the features that hold records of theirs (work orders, invoices,
appointments, documents...). Those features listen in their `listeners.py`; customers imports none
of them. The privacy center uses the same signals for access, portability and erasure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
erasing = _signals.signal(
    "customer-erasing",
    doc="Sender: the customer being erased. Anonymize or delete your rows of theirs, keep what the law "
    "requires, and answer an `ErasureNote` saying what you erased and what you kept and why (or None).",
)
files_exported = _signals.signal(
    "customer-files-exported",
    doc="Sender: the customer. Answer a list of `ExportedFile` to put in their data export (e.g. documents).",
)


@dataclass(frozen=True)
class ErasureNote:
    """One feature's answer to an erasure: what went, and what stays with the reason the law gives."""

    area: str  # e.g. "Invoices"
    erased: str = ""  # e.g. "3 documents deleted from storage"
    kept: str = ""  # e.g. "2 invoices as issued (name and address), kept 10 years for tax law"


@dataclass(frozen=True)
class ExportedFile:
    """A file for a data export: where it goes in the archive, and how to read it when the archive is built."""

    path: str
    read: Callable[[], bytes]
