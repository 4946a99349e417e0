"""Template globals and filters shared by every page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, g, url_for

from saas.core import signals
from saas.core.money import format_money, format_percent, format_quantity
from saas.core.panels import Panel, gather_panels, render_panel
from saas.core.tenancy import active_tenant, current_site, current_tenant


def asset_url(filename: str) -> str:
    """A same-origin URL for a static file, whichever host the page is on."""
    endpoint = "static" if current_site().kind == "public" else "shop_static"
    return url_for(endpoint, filename=filename)


def format_datetime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    """A readable date and time, or a dash."""
    return value.strftime(fmt) if value else "—"


def format_date(value: datetime | None) -> str:
    """A readable date, or a dash."""
    return format_datetime(value, "%d %b %Y")


def money(amount, currency: str | None = None) -> str:
    """`{{ invoice.total | money }}` in the shop's currency (or the one given)."""
    tenant = active_tenant()
    return format_money(amount, currency or (tenant.currency if tenant is not None else "USD"))


def local_time(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    """A UTC timestamp shown in the shop's timezone."""
    if value is None:
        return "—"
    tenant = active_tenant()
    zone = ZoneInfo(tenant.timezone) if tenant is not None else ZoneInfo("UTC")
    return value.astimezone(zone).strftime(fmt)


def layout_banners() -> list[Panel]:
    """Banners that features put above a shop page's content (e.g. billing's trial notice)."""
    return gather_panels(signals.layout_banners, active_tenant())


def register(app: Flask) -> None:
    """Install globals and filters on `app`'s Jinja environment."""
    app.jinja_env.globals.update(
        asset_url=asset_url,
        layout_banners=layout_banners,
        render_panel=render_panel,
        current_site=current_site,
        current_tenant=current_tenant,
        request_globals=g,
    )
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["quantity"] = format_quantity
    app.jinja_env.filters["local_time"] = local_time
