"""Panels: parts of a page that features above it contribute, without the page importing them.

A page of a lower feature (a customer, a work order, the layout itself) sends its signal with
its subject; each listening feature answers with a `Panel` (a template of its own and what the
template needs) or None, and the page shows the answers in order:

    # saas/customers/signals.py (the page's feature declares the signal)
    page_panels = signals.signal("customer-page-panels")

    # saas/invoicing/listeners.py (a feature above listens)
    @customer_signals.page_panels.connect
    def _invoices(customer, **extra):
        return Panel("invoicing/_customer_invoices.html", {"invoices": ...}, order=30)

    # the customer page: {% for panel in panels %}{{ render_panel(panel) }}{% endfor %}

A listener loads what it shows in a fixed number of queries, so a page's query count never
grows with the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blinker import Signal
from flask import render_template
from markupsafe import Markup


@dataclass(frozen=True)
class Panel:
    """A part of another feature's page: `template` rendered with `context`.

    `order` sorts panels (lower first); `place` says where the page puts it ("main" or "aside").
    """

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100
    place: str = "main"


def gather_panels(signal: Signal, subject: Any, **kwargs: Any) -> list[Panel]:
    """The panels that listeners of `signal` contribute for `subject`, sorted by their order."""
    panels = [answer for _, answer in signal.send(subject, **kwargs) if answer is not None]
    return sorted(panels, key=lambda panel: panel.order)


def render_panel(panel: Panel) -> Markup:
    """`{{ render_panel(panel) }}` in a page: the panel's template with its own context."""
    return Markup(render_template(panel.template, **panel.context))  # noqa: S704 - rendered by Jinja, autoescaped
