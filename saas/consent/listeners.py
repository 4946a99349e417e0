"""How cookie consent shows on the shop's settings page."""

from __future__ import annotations

from saas.consent.analytics import shop_settings
from saas.core.panels import Panel
from saas.settings import signals as settings_signals


@settings_signals.page_panels.connect
def _cookies_panel(shop, user, **details) -> Panel:
    return Panel("consent/admin/_settings_panel.html", {"analytics_settings": shop_settings()}, order=20)
