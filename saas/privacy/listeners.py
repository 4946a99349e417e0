"""How privacy plugs into the pages of a customer (exports, erasure, legal hold) and of the settings."""

from __future__ import annotations

from saas.core.panels import Panel
from saas.customers import signals as customer_signals
from saas.customers.export import row
from saas.customers.models import Customer
from saas.privacy import erasure, exports, holds
from saas.privacy.request_queries import requests_of_customer
from saas.settings import signals as settings_signals


@customer_signals.page_panels.connect
def _privacy_panel(customer: Customer, user, **details) -> Panel | None:
    if not user.can("customers.edit"):
        return None
    return Panel(
        "privacy/_customer_privacy.html",
        {
            "customer": customer,
            "exports": exports.exports_of_customer(customer.id),
            "erasures": erasure.erasures_of(customer.id),
            "may_erase": user.can("privacy.erase"),
            "hold": holds.hold_of(customer.id),
            "may_hold": user.can("privacy.retention"),
        },
        order=20,
        place="aside",
    )


@settings_signals.page_panels.connect
def _retention_link(shop, user, **details) -> Panel | None:
    if not user.can("privacy.retention"):
        return None
    return Panel("privacy/_settings_privacy.html", order=20)


@customer_signals.data_exported.connect
def _privacy_requests_export(customer: Customer, **details) -> dict:
    """The person's privacy requests and their history belong to their data too."""
    return {
        "privacy_requests": [
            {
                **row(request, "number", "kind", "status", "received_on", "due_on", "closed_at", "resolution"),
                "history": [row(event, "action", "detail", "created_at") for event in request.events],
            }
            for request in requests_of_customer(customer.id, with_history=True)
        ]
    }
