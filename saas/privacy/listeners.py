"""How privacy plugs into the customer's page: their exports, and their erasure or the button for it."""

from __future__ import annotations

from saas.core.panels import Panel
from saas.customers import signals as customer_signals
from saas.customers.models import Customer
from saas.privacy import erasure, exports


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
        },
        order=20,
        place="aside",
    )
