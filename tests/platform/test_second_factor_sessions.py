"""Console sessions: they end after ADMIN_IDLE_MINUTES without a request, are never remembered, and
never mix with shop accounts; the secret is stored encrypted; a reset second factor is enrolled again."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from saas.auth.passwords import hash_password
from saas.core.crypto import decrypt
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.platform import totp
from saas.platform.admins import find_admin
from tests.factories import ADMIN_TOTP_SECRET, PASSWORD, fresh_totp_code, log_in
from tests.fixtures.pages import flashes, redirect_path
from tests.platform.helpers import audit_entries
from tests.platform.second_factor import (
    CODE_PAGE,
    ENROL_PAGE,
    code_at,
    code_step,
    enrol,
    log_in_with,
    logged_in,
    password_step,
    stored_admin,
    unused_recovery_codes,
)

NEW_ADMIN = "new@workbay.example.com"


@pytest.fixture
def new_admin(factory):
    """A platform admin who has never logged in (no second factor yet)."""
    return factory.platform_admin(NEW_ADMIN, enrolled=False)


@pytest.fixture
def clock(monkeypatch):
    """The console's clock of idle sessions, moved by hand: `clock.move(minutes=31)`."""

    class Clock:
        now = time.time()

        def move(self, minutes: float) -> None:
            self.now += minutes * 60

    pinned = Clock()
    monkeypatch.setattr("saas.platform.login_views.now", lambda: pinned.now)
    return pinned


# --- idle sessions ------------------------------------------------------------------------


def test_an_idle_console_session_ends_after_30_minutes_and_comes_back_to_the_page(console, clock, admin, app):
    clock.move(minutes=30.5)

    response = console.get("/metrics?range=90")

    assert redirect_path(response) == "/login?next=/metrics?range%3D90"
    assert "You were logged out after 30 minutes without activity. Log in again to continue." in flashes(
        console.get("/login")
    )
    clock.move(minutes=-30)
    assert not logged_in(console)  # the session is over, not just refused for now
    [entry] = audit_entries(app, "session.ended")
    assert (entry.admin_id, entry.detail) == (admin.id, "idle for more than 30 minutes")


def test_each_request_keeps_the_console_session_alive(console, clock):
    for _ in range(3):
        clock.move(minutes=29)
        assert logged_in(console)


def test_the_idle_limit_is_a_setting(console, clock, app, monkeypatch):
    monkeypatch.setitem(app.config, "ADMIN_IDLE_MINUTES", 5)
    clock.move(minutes=4)
    assert logged_in(console)

    clock.move(minutes=6)

    assert redirect_path(console.get("/")) == "/login?next=/"


def test_an_idle_session_posting_a_form_is_sent_to_the_login_without_a_next_page(console, clock):
    clock.move(minutes=31)

    assert redirect_path(console.post("/account/recovery-codes", data={"code": "123456"})) == "/login"


def test_an_idle_session_ends_for_json_clients_with_401(console, clock):
    clock.move(minutes=31)

    assert console.get("/", headers={"Accept": "application/json"}).status_code == 401
    assert not logged_in(console)


def test_a_deactivated_admins_session_ends_at_the_next_request(console, admin, app):
    with app.app_context():
        find_admin(admin.email).deactivated_at = utcnow()
        db.session.commit()

    assert redirect_path(console.get("/")) == "/login?next=/"
    assert "This console account is deactivated." in flashes(console.get("/login"))


def test_a_console_login_is_never_remembered(admin_client, admin):
    password_step(admin_client, admin.email)
    response = admin_client.post(CODE_PAGE, data={"code": fresh_totp_code(admin_client, admin.email), "remember": "y"})

    cookies = response.headers.getlist("Set-Cookie")
    assert not [cookie for cookie in cookies if cookie.startswith("workbay_remember=")]
    [session_cookie] = [cookie for cookie in cookies if cookie.startswith("workbay_session=")]
    assert "expires=" not in session_cookie.lower() and "max-age" not in session_cookie.lower()


def test_logging_out_ends_the_session_and_a_pending_login(console, admin, app):
    console.post("/logout")
    assert [entry.admin_id for entry in audit_entries(app, "logout")] == [admin.id]
    password_step(console, admin.email)

    console.post("/logout")

    assert redirect_path(console.get(CODE_PAGE)) == "/login"


# --- shop accounts and console accounts never mix -----------------------------------------


def test_the_same_email_at_a_shop_and_at_the_console_are_two_separate_accounts(factory, admin_client, shop_client, app):
    email = "root@workbay.example.com"
    factory.tenant("acme", owner_email=email)
    factory.platform_admin(email)
    at_shop = shop_client("acme")

    log_in(at_shop, email)
    assert stored_admin(app, email).last_login_at is None  # logging in at the shop is not the admin's login
    assert redirect_path(password_step(admin_client, email)) == CODE_PAGE  # the console asks for its own code
    code_step(admin_client, fresh_totp_code(admin_client, email))

    assert logged_in(admin_client) and at_shop.get("/").status_code == 200
    console_cookie = admin_client.get_cookie("workbay_session", domain="admin.workbay.test").value
    shop_cookie = at_shop.get_cookie("workbay_session", domain="acme.workbay.test").value
    crossed_to_shop, crossed_to_console = shop_client("acme"), shop_client("admin")
    crossed_to_shop.set_cookie("workbay_session", console_cookie, domain="acme.workbay.test")
    crossed_to_console.set_cookie("workbay_session", shop_cookie, domain="admin.workbay.test")
    assert redirect_path(crossed_to_shop.get("/")).startswith("/login")
    assert redirect_path(crossed_to_console.get("/")).startswith("/login")


def test_a_shop_owners_password_does_not_open_the_console_even_with_the_admins_email(factory, admin_client):
    email = "root@workbay.example.com"
    factory.tenant("acme", owner_email=email)
    factory.platform_admin(email)
    with admin_client.application.app_context():
        find_admin(email).password_hash = hash_password("the-admins-own-password")
        db.session.commit()

    assert password_step(admin_client, email, PASSWORD).status_code == 401
    assert password_step(admin_client, email, "the-admins-own-password").status_code == 302


def test_a_shop_session_never_reaches_the_code_step_of_the_console(factory, login_as, shop_client):
    at_shop = login_as(factory.owner(factory.tenant("globex")), "globex")
    cookie = at_shop.get_cookie("workbay_session", domain="globex.workbay.test").value
    console = shop_client("admin")
    console.set_cookie("workbay_session", cookie, domain="admin.workbay.test")

    assert redirect_path(console.get(CODE_PAGE)) == "/login"
    assert redirect_path(console.get("/account")).startswith("/login")


# --- the secret at rest -------------------------------------------------------------------


def test_the_totp_secret_is_stored_encrypted(admin_client, new_admin, superuser_engine, app):
    secret, codes = enrol(admin_client, NEW_ADMIN)

    with superuser_engine.connect() as conn:
        stored = conn.execute(
            text("SELECT totp_secret FROM platform_admins WHERE email = :e"), {"e": NEW_ADMIN}
        ).scalar()
        hashes = list(conn.execute(text("SELECT code_hash FROM platform_recovery_codes")).scalars())
    assert secret not in stored and stored.startswith("gAAAA")  # a Fernet token
    with app.app_context():
        assert decrypt(stored) == secret
    assert len(hashes) == 10 and not {code.replace("-", "") for code in codes} & set(hashes)
    assert not any(code in stored_hash for code in codes for stored_hash in hashes)


# --- resetting an admin's second factor ---------------------------------------------------


def test_a_reset_second_factor_ends_the_admins_sessions_and_the_next_login_enrols_again(console, admin, app):
    with app.test_request_context():
        admin_row = find_admin(admin.email)
        totp.regenerate_recovery_codes(admin_row, code_at(admin_row.totp_last_step + 1))
        totp.reset_second_factor(admin_row)
        db.session.commit()

    assert redirect_path(console.get("/")).startswith("/login")
    assert unused_recovery_codes(app, admin.id) == 0
    assert redirect_path(password_step(console, admin.email)) == ENROL_PAGE
    assert redirect_path(console.get(CODE_PAGE)) == ENROL_PAGE
    secret, _ = enrol(console, admin.email)
    assert secret != ADMIN_TOTP_SECRET
    console.post("/logout")
    assert log_in_with(console, admin.email, secret).status_code == 302
    assert logged_in(console)
