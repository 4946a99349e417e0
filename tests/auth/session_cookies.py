"""Cookies as a thief would copy them: read one browser's, put them into another (helpers of the session tests)."""

from __future__ import annotations

from urllib.parse import urlsplit

SESSION, REMEMBER, DEVICE = "workbay_session", "workbay_remember", "workbay_device"


def cookie_of(client, name: str) -> str:
    """The value of `name` that `client` holds for its own host."""
    cookie = client.get_cookie(name, domain=client.host)
    assert cookie is not None, f"no {name} cookie on {client.host}"
    return cookie.value


def copy_cookies(source, target, *names: str):
    """Give `target` (a client of the same host) `source`'s cookies `names`; returns `target`."""
    for name in names:
        target.set_cookie(name, cookie_of(source, name), domain=target.host)
    return target


def identity_in(app, client) -> str | None:
    """The session identity `client`'s session cookie carries (what Flask-Login keeps)."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(cookie_of(client, SESSION)).get("_user_id")


def with_identity(app, client, identity: str):
    """A session cookie signed with the app's key that carries `identity` (a forgery with a known key)."""
    serializer = app.session_interface.get_signing_serializer(app)
    client.set_cookie(SESSION, serializer.dumps({"_user_id": identity, "_fresh": True}), domain=client.host)
    return client


def sent_to_login(response) -> bool:
    """The response sends the browser to its site's login page."""
    return response.status_code == 302 and urlsplit(response.location).path == "/login"
