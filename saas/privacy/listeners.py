"""How privacy plugs into the pages of a customer (exports, erasure, legal hold) and of the settings."""

from __future__ import annotations

from saas.core.panels import Panel
from saas.customers import signals as customer_signals
from saas.customers.models import Customer
from saas.privacy import erasure, exports, holds
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
