"""A login belongs to one host: cookies replayed elsewhere, and credentials of another shop, are worthless."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import text

from saas.auth import services as auth
from saas.auth.roles import Role
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from tests.factories import PASSWORD, log_in

SESSION, REMEMBER = "workbay_session", "workbay_remember"


def _host(app, subdomain: str) -> str:
    return f"{subdomain}.{app.config['SERVER_NAME']}"


def _log_in_remembered(client, email: str):
    response = client.post("/login", data={"email": email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302, response.status_code
    return response


def _cookie_of(app, client, subdomain: str, name: str) -> str:
    cookie = client.get_cookie(name, domain=_host(app, subdomain))
    assert cookie is not None, f"no {name} cookie for {subdomain}"
    return cookie.decoded_value


def _with_cookie(app, client, subdomain: str, name: str, value: str):
    client.set_cookie(name, value, domain=_host(app, subdomain))
    return client


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response.location).path == "/login"


@pytest.fixture
def alpha_cookies(app, shops, shop_client) -> dict[str, str]:
    """Both cookies of alpha's owner, logged in at alpha with "keep me logged in"."""
    client = shop_client("alpha")
    _log_in_remembered(client, shops.alpha.owner.email)
    return {name: _cookie_of(app, client, "alpha", name) for name in (SESSION, REMEMBER)}


@pytest.mark.parametrize("cookie", [SESSION, REMEMBER])
def test_a_cookie_from_alpha_replayed_at_bravo_does_not_log_in(app, shop_client, alpha_cookies, cookie):
    at_alpha = _with_cookie(app, shop_client("alpha"), "alpha", cookie, alpha_cookies[cookie])
    at_bravo = _with_cookie(app, shop_client("bravo"), "bravo", cookie, alpha_cookies[cookie])

    assert at_alpha.get("/").status_code == 200  # the control: this cookie alone is a login at alpha
    assert _sent_to_login(at_bravo.get("/"))
    assert _sent_to_login(at_bravo.get("/customers"))
    assert at_bravo.get("/login").status_code == 200  # the form, not "already logged in"


@pytest.mark.parametrize("cookie", [SESSION, REMEMBER])
def test_a_staff_cookie_replayed_on_the_admin_host_gives_no_console_access(app, admin_client, alpha_cookies, cookie):
    console = _with_cookie(app, admin_client, "admin", cookie, alpha_cookies[cookie])

    assert _sent_to_login(console.get("/"))


def test_a_platform_admin_cookie_replayed_at_a_shop_gives_no_staff_access(
    app, shops, factory, admin_client, shop_client
):
    log_in(admin_client, factory.platform_admin().email)
    assert admin_client.get("/").status_code == 200  # the control: logged in at the console
    value = _cookie_of(app, admin_client, "admin", SESSION)

    assert _sent_to_login(_with_cookie(app, shop_client("alpha"), "alpha", SESSION, value).get("/"))


@pytest.mark.parametrize("cookie", [SESSION, REMEMBER])
def test_login_cookies_are_host_only_httponly_and_samesite_lax(app, shops, shop_client, cookie):
    response = _log_in_remembered(shop_client("alpha"), shops.alpha.owner.email)

    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{cookie}=")]
    attributes = {
        name.strip().lower(): value for name, _, value in (part.partition("=") for part in header.split(";")[1:])
    }
    assert "domain" not in attributes, header
    assert "httponly" in attributes, header
    assert attributes.get("samesite") == "Lax", header


def test_an_emailed_link_from_one_shop_is_worthless_at_another(shops, shop_client, outbox):
    shop_client("alpha").post("/forgot-password", data={"email": shops.alpha.owner.email})
    links = {
        "reset": (urlsplit(outbox.link_in_last_to(shops.alpha.owner.email)).path, "/forgot-password"),
        "invitation": (urlsplit(outbox.link_in_last_to(shops.alpha.invitation.email)).path, "/login"),
    }

    at_alpha = {kind: shop_client("alpha").get(path).status_code for kind, (path, _) in links.items()}
    at_bravo = {kind: shop_client("bravo").get(path) for kind, (path, _) in links.items()}

    assert at_alpha == {"reset": 200, "invitation": 200}  # the control: the links work where they belong
    assert {kind: (r.status_code, urlsplit(r.location).path) for kind, r in at_bravo.items()} == {
        kind: (302, refused_to) for kind, (_, refused_to) in links.items()
    }


# --- credentials ---------------------------------------------------------------------------


def _login_status(client, email: str, password: str) -> int:
    return client.post("/login", data={"email": email, "password": password}).status_code


def test_a_user_of_one_shop_cannot_log_in_at_another_shop(shops, shop_client):
    assert _login_status(shop_client("alpha"), shops.alpha.owner.email, PASSWORD) == 302  # the control
    assert _login_status(shop_client("bravo"), shops.alpha.owner.email, PASSWORD) == 401


def test_the_same_email_at_two_shops_is_two_accounts_whose_passwords_work_only_at_their_own_shop(
    app, shops, shop_client, superuser_engine
):
    email = "pat@example.com"
    for shop in (shops.alpha, shops.bravo):
        with app.test_request_context(), tenant_scope(shop.id):
            auth.create_user(email, "Pat", f"{shop.tenant.subdomain}-password", Role.TECHNICIAN)
            db.session.commit()

    statuses = {
        (at, password): _login_status(shop_client(at), email, f"{password}-password")
        for at in ("alpha", "bravo")
        for password in ("alpha", "bravo")
    }

    assert statuses == {
        ("alpha", "alpha"): 302,
        ("alpha", "bravo"): 401,
        ("bravo", "alpha"): 401,
        ("bravo", "bravo"): 302,
    }
    with superuser_engine.connect() as conn:
        accounts = conn.execute(text("SELECT tenant_id FROM users WHERE email = :e ORDER BY tenant_id"), {"e": email})
        assert accounts.scalars().all() == [shops.alpha.id, shops.bravo.id]
