"""How a whole shop's export shows on the settings page: its latest exports, for those who may export."""

from __future__ import annotations

from saas.core.panels import Panel
from saas.settings import signals as settings_signals
from saas.shopdata.export import latest_exports

SETTINGS_EXPORTS = 3


@settings_signals.page_panels.connect
def _shop_export_panel(shop, user, **details) -> Panel | None:
    if not user.can("shop.export"):
        return None
    return Panel("shopdata/_settings_panel.html", {"exports": latest_exports(SETTINGS_EXPORTS)}, order=30)
