"""How cookie consent shows on the shop's settings page, and names its analytics services as processors."""

from __future__ import annotations

from saas.consent.analytics import AnalyticsSetup, shop_settings
from saas.core.panels import Panel
from saas.core.processors import Processor, processors_in_use
from saas.settings import signals as settings_signals


@settings_signals.page_panels.connect
def _cookies_panel(shop, user, **details) -> Panel:
    return Panel("consent/admin/_settings_panel.html", {"analytics_settings": shop_settings()}, order=20)


@processors_in_use.connect
def _analytics_processors(shop, **details) -> list[Processor]:
    """The analytics services the shop configured: they receive visits, only from visitors who allowed analytics."""
    row = shop_settings()
    setup = AnalyticsSetup(row.plausible_domain, row.ga4_measurement_id) if row is not None else AnalyticsSetup()
    return [
        Processor(
            f"analytics_{service.key}",
            f"{service.name} ({service.recipient})",
            "Statistics about visits to the shop's pages, only after the visitor agreed to analytics cookies",
            service.recipient,
            data=f"pages visited, browser; cookies: {service.cookies}",
            activities=("website",),
        )
        for service in setup.services
    ]
