"""Every console route refuses anonymous visitors and shop accounts: found automatically from the URL map,
so a new console page is covered the day it is added."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.factories import log_in

# Console routes that answer before anyone is logged in: the sign-in steps themselves.
SIGN_IN_ENDPOINTS = {"platform.login", "platform.logout"}


def console_requests(app):
    """(endpoint, method, path) of every console route, with 1 for each id in it."""
    adapter = app.url_map.bind(app.config["SERVER_NAME"], subdomain="admin")
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint):
        if rule.subdomain != "admin" or rule.endpoint.split(".")[0] != "platform":
            continue
        values = {argument: 1 if "<int:" + argument in rule.rule else "x" for argument in rule.arguments}
        path = adapter.build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


def answered(response) -> str:
    location = urlsplit(response.headers.get("Location", "")).path
    return f"{response.status_code} {location}".strip()


def test_there_are_console_routes_to_check(app):
    assert len(list(console_requests(app))) >= 10


def test_anonymous_visitors_are_sent_to_the_console_login_from_every_route(app, admin_client):
    statuses = {
        (endpoint, method): answered(admin_client.open(path, method=method))
        for endpoint, method, path in console_requests(app)
        if endpoint not in SIGN_IN_ENDPOINTS and not endpoint.startswith("platform.login_")
    }

    refused = {attempt: status for attempt, status in statuses.items() if status in ("302 /login", "401")}
    assert refused == statuses


def test_a_shop_owners_session_is_worthless_on_every_console_route(app, factory, shop_client, admin_client):
    shop = factory.tenant("acme")
    staff = shop_client("acme")
    log_in(staff, factory.owner(shop).email)
    cookie = staff.get_cookie("workbay_session", domain="acme.workbay.test")
    admin_client.set_cookie("workbay_session", cookie.value, domain="admin.workbay.test")

    statuses = {
        (endpoint, method): answered(admin_client.open(path, method=method))
        for endpoint, method, path in console_requests(app)
        if endpoint not in SIGN_IN_ENDPOINTS and not endpoint.startswith("platform.login_")
    }

    assert {attempt: status for attempt, status in statuses.items() if status not in ("302 /login", "401")} == {}


@pytest.mark.parametrize("path", ["/", "/shops/1", "/metrics", "/health", "/admins"])
def test_shop_hosts_do_not_serve_console_pages(factory, shop_client, path):
    shop = factory.tenant("acme")
    staff = shop_client("acme")
    log_in(staff, factory.owner(shop).email)

    response = staff.get(path)

    assert path == "/" or response.status_code == 404
