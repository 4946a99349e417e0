"""Recovery codes: ten at enrolment, shown once, stored hashed, each logs in once (and says how many are
left); new ones from the account page, confirmed with a current code of the authenticator app."""

from __future__ import annotations

import pytest

from saas.core.extensions import db
from saas.platform import totp
from saas.platform.admins import find_admin
from tests.factories import fresh_totp_code
from tests.fixtures.pages import field_errors, flashes, redirect_path
from tests.platform.helpers import audit_entries
from tests.platform.second_factor import (
    code_at,
    code_step,
    enrol,
    logged_in,
    password_step,
    recovery_codes_on,
    step_now,
    unused_recovery_codes,
)

NEW_ADMIN = "new@workbay.example.com"


@pytest.fixture
def new_admin(factory):
    """A platform admin who has never logged in (no second factor yet)."""
    return factory.platform_admin(NEW_ADMIN, enrolled=False)


# --- recovery codes -----------------------------------------------------------------------


def test_a_recovery_code_logs_in_once_and_says_how_many_are_left(admin_client, new_admin, app):
    _, codes = enrol(admin_client, NEW_ADMIN)
    admin_client.post("/logout")

    password_step(admin_client, NEW_ADMIN)
    response = code_step(admin_client, codes[3])

    assert redirect_path(response) == "/"
    assert (
        "You logged in with a recovery code; it no longer works. 9 recovery codes are left (see your account page)."
        in (flashes(admin_client.get("/")))
    )
    [used] = audit_entries(app, "recovery_code.used")
    assert used.detail == "9 left"
    assert audit_entries(app, "login")[-1].detail == "recovery code"
    assert unused_recovery_codes(app, new_admin.id) == 9


def test_a_used_recovery_code_is_refused(admin_client, new_admin):
    _, codes = enrol(admin_client, NEW_ADMIN)
    admin_client.post("/logout")
    password_step(admin_client, NEW_ADMIN)
    code_step(admin_client, codes[0])
    admin_client.post("/logout")

    password_step(admin_client, NEW_ADMIN)
    reused = code_step(admin_client, codes[0])

    assert reused.status_code == 401
    assert "That recovery code is wrong or was already used. 4 tries left." in field_errors(reused)
    assert not logged_in(admin_client)


def test_a_recovery_code_may_be_typed_in_capitals_and_without_dashes(admin_client, new_admin):
    _, codes = enrol(admin_client, NEW_ADMIN)
    admin_client.post("/logout")
    password_step(admin_client, NEW_ADMIN)

    assert redirect_path(code_step(admin_client, codes[1].replace("-", " ").upper())) == "/"


def test_another_admins_recovery_code_does_not_work(admin_client, new_admin, admin):
    _, codes = enrol(admin_client, NEW_ADMIN)
    admin_client.post("/logout")
    password_step(admin_client, admin.email)

    assert code_step(admin_client, codes[0]).status_code == 401


def test_the_last_recovery_code_says_to_make_new_ones(admin_client, new_admin, app):
    _, codes = enrol(admin_client, NEW_ADMIN)
    for code in codes:
        admin_client.post("/logout")
        password_step(admin_client, NEW_ADMIN)
        assert redirect_path(code_step(admin_client, code)) == "/"

    assert "You used your last recovery code. Make new ones on your account page now." in flashes(admin_client.get("/"))
    assert unused_recovery_codes(app, new_admin.id) == 0


# --- the account page ---------------------------------------------------------------------


def test_the_account_page_shows_the_second_factor_and_the_recovery_codes_left(admin_client, new_admin):
    _, codes = enrol(admin_client, NEW_ADMIN)
    admin_client.post("/logout")
    password_step(admin_client, NEW_ADMIN)
    code_step(admin_client, codes[0])

    page = admin_client.get("/account").get_data(as_text=True)

    assert "Authenticator app, set up on" in page
    assert '<dd id="recovery-codes-left">9 of 10</dd>' in page
    assert 'href="/account" aria-current="page">Account</a>' in page


def test_new_recovery_codes_replace_the_old_ones(admin_client, new_admin, app):
    secret, old = enrol(admin_client, NEW_ADMIN)

    shown = admin_client.post(
        "/account/recovery-codes", data={"code": fresh_totp_code(admin_client, NEW_ADMIN, secret)}
    )

    new = recovery_codes_on(shown)
    assert shown.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    assert shown.headers["Cache-Control"] == "no-store"
    assert "The codes you had before no longer work." in shown.get_data(as_text=True)
    assert unused_recovery_codes(app, new_admin.id) == 10
    [entry] = audit_entries(app, "recovery_codes.regenerated")
    assert entry.admin_id == new_admin.id
    admin_client.post("/logout")
    password_step(admin_client, NEW_ADMIN)
    assert code_step(admin_client, old[0]).status_code == 401
    assert redirect_path(code_step(admin_client, new[0])) == "/"


@pytest.mark.parametrize("kind", ["wrong", "replayed", "recovery"])
def test_new_recovery_codes_need_a_current_code_of_the_app(console, admin, app, kind):
    with app.app_context():
        admin_row = find_admin(admin.email)
        codes = totp.regenerate_recovery_codes(admin_row, code_at(admin_row.totp_last_step + 1))
        db.session.commit()
        last = admin_row.totp_last_step
    code = {"wrong": code_at(step_now() - 10), "replayed": code_at(last), "recovery": codes[0]}[kind]

    response = console.post("/account/recovery-codes", data={"code": code})

    assert response.status_code == 400
    assert field_errors(response) == [
        "That code is wrong or was already used. Enter the code your authenticator app shows now "
        "(a recovery code does not work here)."
    ]
    assert recovery_codes_on(response) == []
    assert unused_recovery_codes(app, admin.id) == 10
    assert len(audit_entries(app, "recovery_codes.regenerate_refused")) == 1


def test_the_account_page_needs_a_logged_in_admin(admin_client):
    assert redirect_path(admin_client.get("/account")) == "/login?next=/account"
    assert redirect_path(admin_client.post("/account/recovery-codes", data={"code": "123456"})).startswith("/login")
