"""Signals about work orders, for the features that add to them (invoicing, inspections, documents)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

page_panels = _signals.signal(
    "work-order-page-panels",
    doc="Sender: the work order; kwargs: user. Answer a `Panel` for the work order's page, or None.",
)
estimate_job_panels = _signals.signal(
    "estimate-job-panels",
    doc="Sender: the work order. Answer {job id: Panel} to show under its jobs on the customer's estimate page.",
)
