"""How privacy requests show on the pages of lower features: a customer's requests on their page,
the deadline rules on the settings page (for staff who work the queue)."""

from __future__ import annotations

from saas.core.panels import Panel
from saas.customers import signals as customer_signals
from saas.customers.models import Customer
from saas.privacy.request_queries import requests_of_customer
from saas.privacy.request_settings import shop_jurisdiction
from saas.settings import signals as settings_signals

PERMISSION = "privacy.requests"


@customer_signals.page_panels.connect
def _customer_requests(customer: Customer, user, **details) -> Panel | None:
    if not user.can(PERMISSION):
        return None
    return Panel(
        "privacy/requests/_customer_panel.html",
        {"customer_requests": requests_of_customer(customer.id)},
        order=90,
        place="aside",
    )


@settings_signals.page_panels.connect
def _deadline_rules(shop, user, **details) -> Panel | None:
    if not user.can(PERMISSION):
        return None
    return Panel("privacy/requests/_settings_panel.html", {"jurisdiction": shop_jurisdiction()}, order=60)
