"""Template globals and filters shared by every page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, g, url_for

from saas.core.money import format_money
from saas.core.tenancy import current_site, current_tenant


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
    tenant = current_tenant._get_current_object()
    return format_money(amount, currency or (tenant.currency if tenant is not None else "USD"))


def local_time(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
    """A UTC timestamp shown in the shop's timezone."""
    if value is None:
        return "—"
    tenant = current_tenant._get_current_object()
    zone = ZoneInfo(tenant.timezone) if tenant is not None else ZoneInfo("UTC")
    return value.astimezone(zone).strftime(fmt)


def register(app: Flask) -> None:
    """Install globals and filters on `app`'s Jinja environment."""
    app.jinja_env.globals.update(
        asset_url=asset_url,
        current_site=current_site,
        current_tenant=current_tenant,
        request_globals=g,
    )
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["local_time"] = local_time
