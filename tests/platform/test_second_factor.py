"""Console sign-in with a second factor: enrolment at the first login, then a TOTP code or a one-time
recovery code at every login; codes never work twice; nothing is logged in between the two steps."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from saas.core.db import utcnow
from saas.core.extensions import db, limiter
from saas.platform import totp
from saas.platform.models import PlatformAdmin
from tests.factories import ADMIN_TOTP_SECRET, PASSWORD, fresh_totp_code
from tests.fixtures.clients import host_client
from tests.fixtures.pages import field_errors, flashes, redirect_path
from tests.platform.helpers import audit_entries
from tests.platform.second_factor import (
    CODE_PAGE,
    ENROL_DONE,
    ENROL_PAGE,
    code_at,
    code_step,
    log_in_with,
    logged_in,
    password_step,
    recovery_codes_on,
    secret_on,
    step_now,
    stored_admin,
    unused_recovery_codes,
)

NEW_ADMIN = "new@workbay.example.com"
WRONG = "That code is wrong or was already used. Wait for the next code of your authenticator app."


@pytest.fixture
def new_admin(factory):
    """A platform admin who has never logged in (no second factor yet)."""
    return factory.platform_admin(NEW_ADMIN, enrolled=False)


# --- enrolment ----------------------------------------------------------------------------


def test_a_new_admin_enrols_with_an_authenticator_app_and_is_logged_in_after_saving_the_codes(
    admin_client, new_admin, app
):
    assert redirect_path(password_step(admin_client, NEW_ADMIN)) == ENROL_PAGE
    page = admin_client.get(ENROL_PAGE)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and '<svg viewBox="0 0' in text and 'class="totp-qr"' in text
    secret = secret_on(page)
    assert not logged_in(admin_client)  # nothing is logged in before the code

    shown = admin_client.post(ENROL_PAGE, data={"code": pyotp.TOTP(secret).now()})

    codes = recovery_codes_on(shown)
    assert shown.status_code == 200 and len(codes) == 10 and len(set(codes)) == 10
    assert "I have saved them, continue" in shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"
    assert not logged_in(admin_client)  # only the continue button logs in
    done = admin_client.post(ENROL_DONE)
    assert redirect_path(done) == "/"
    assert logged_in(admin_client)
    admin = stored_admin(app, NEW_ADMIN)
    assert admin.has_second_factor and unused_recovery_codes(app, admin.id) == 10
    assert [entry.action for entry in audit_entries(app) if entry.action != "shops.list"] == [
        "second_factor.enrolled",
        "login",
    ]
    assert audit_entries(app, "login")[0].detail == "enrolment"


def test_the_enrolment_page_never_uses_style_attributes_or_data_uris(admin_client, new_admin):
    password_step(admin_client, NEW_ADMIN)

    text = admin_client.get(ENROL_PAGE).get_data(as_text=True)

    assert "style=" not in text and "data:" not in text
    assert re.findall(r"<script[^>]*>", text) == ['<script src="/static/js/app.js" defer>']


def test_the_qr_code_names_the_console_and_the_admin(app):
    uri = totp.provisioning_uri(ADMIN_TOTP_SECRET, "root@workbay.example.com")

    assert uri == pyotp.parse_uri(uri).provisioning_uri(name="root@workbay.example.com", issuer_name="Workbay console")
    assert pyotp.parse_uri(uri).issuer == "Workbay console" and pyotp.parse_uri(uri).secret == ADMIN_TOTP_SECRET
    assert totp.qr_svg(uri).startswith("<svg viewBox=")


def test_each_password_step_of_an_admin_not_yet_enrolled_gives_a_new_key(admin_client, new_admin):
    password_step(admin_client, NEW_ADMIN)
    first = secret_on(admin_client.get(ENROL_PAGE))
    assert secret_on(admin_client.get(ENROL_PAGE)) == first  # the same while this login lasts

    password_step(admin_client, NEW_ADMIN)

    assert secret_on(admin_client.get(ENROL_PAGE)) != first


def test_a_wrong_code_at_enrolment_enrols_nothing(admin_client, new_admin, app):
    password_step(admin_client, NEW_ADMIN)
    secret = secret_on(admin_client.get(ENROL_PAGE))

    response = admin_client.post(ENROL_PAGE, data={"code": code_at(step_now() - 5, secret)})

    assert response.status_code == 401
    assert f"{WRONG} 4 tries left." in field_errors(response)
    assert recovery_codes_on(response) == []
    assert not stored_admin(app, NEW_ADMIN).has_second_factor
    assert [entry.detail for entry in audit_entries(app, "login.second_factor_failed")] == [
        "enrolment code not accepted"
    ]


def test_an_enrolled_admin_is_sent_from_the_enrolment_page_to_the_code_page(admin_client, admin):
    password_step(admin_client, admin.email)

    assert redirect_path(admin_client.get(ENROL_PAGE)) == CODE_PAGE


def test_continuing_without_having_enrolled_in_this_login_does_not_log_in(admin_client, admin):
    password_step(admin_client, admin.email)

    response = admin_client.post(ENROL_DONE)

    assert redirect_path(response) == CODE_PAGE
    assert not logged_in(admin_client)


def test_replaying_the_cookie_of_a_finished_enrolment_does_not_log_in_again(admin_client, new_admin):
    password_step(admin_client, NEW_ADMIN)
    secret = secret_on(admin_client.get(ENROL_PAGE))
    admin_client.post(ENROL_PAGE, data={"code": pyotp.TOTP(secret).now()})
    saved = admin_client.get_cookie("workbay_session", domain="admin.workbay.test").value
    admin_client.post(ENROL_DONE)
    admin_client.post("/logout")

    admin_client.set_cookie("workbay_session", saved, domain="admin.workbay.test")

    assert redirect_path(admin_client.post(ENROL_DONE)) == CODE_PAGE
    assert not logged_in(admin_client)


# --- logging in with a TOTP code ----------------------------------------------------------


def test_an_enrolled_admin_logs_in_with_the_code_of_the_app(admin_client, admin, app):
    assert redirect_path(password_step(admin_client, admin.email)) == CODE_PAGE
    assert not logged_in(admin_client)

    response = code_step(admin_client, pyotp.TOTP(ADMIN_TOTP_SECRET).now())

    assert redirect_path(response) == "/"
    assert logged_in(admin_client)
    [entry] = audit_entries(app, "login")
    assert (entry.admin_id, entry.detail) == (admin.id, "authenticator code")
    assert stored_admin(app, admin.email).last_login_at is not None


def test_the_page_asked_for_is_opened_after_both_steps(admin_client, admin):
    password_step(admin_client, admin.email, next_page="/metrics")

    response = code_step(admin_client, fresh_totp_code(admin_client, admin.email))

    assert redirect_path(response) == "/metrics"


def test_a_next_page_on_another_site_is_ignored(admin_client, admin):
    password_step(admin_client, admin.email, next_page="//evil.example.com/")

    assert redirect_path(code_step(admin_client, fresh_totp_code(admin_client, admin.email))) == "/"


def test_a_wrong_code_is_refused_and_recorded(admin_client, admin, app):
    password_step(admin_client, admin.email)

    response = code_step(admin_client, code_at(step_now() - 10))

    assert response.status_code == 401
    assert f"{WRONG} 4 tries left." in field_errors(response)
    assert not logged_in(admin_client)
    [entry] = audit_entries(app, "login.second_factor_failed")
    assert (entry.admin_id, entry.detail) == (admin.id, "TOTP code not accepted")


def test_a_code_from_the_previous_step_is_accepted_for_clock_drift(admin_client, admin, monkeypatch):
    monkeypatch.setattr("saas.platform.totp.clock", lambda: 1_900_000_000.0)  # step 63333333, 10 s into it
    password_step(admin_client, admin.email)

    assert redirect_path(code_step(admin_client, code_at(63333333 - 1))) == "/"


def test_a_code_two_steps_away_is_refused(admin_client, admin, monkeypatch):
    monkeypatch.setattr("saas.platform.totp.clock", lambda: 1_900_000_000.0)  # step 63333333, 10 s into it
    password_step(admin_client, admin.email)

    assert code_step(admin_client, code_at(63333333 - 2)).status_code == 401
    assert code_step(admin_client, code_at(63333333 + 2)).status_code == 401
    assert redirect_path(code_step(admin_client, code_at(63333333 + 1))) == "/"


def test_the_same_code_never_works_twice_not_even_in_the_next_login(admin_client, admin):
    code = fresh_totp_code(admin_client, admin.email)
    password_step(admin_client, admin.email)
    assert redirect_path(code_step(admin_client, code)) == "/"
    admin_client.post("/logout")

    password_step(admin_client, admin.email)
    replayed = code_step(admin_client, code)

    assert replayed.status_code == 401
    assert f"{WRONG} 4 tries left." in field_errors(replayed)
    assert not logged_in(admin_client)


def test_a_code_older_than_the_last_accepted_one_is_refused(admin_client, admin):
    step = step_now()
    password_step(admin_client, admin.email)
    assert redirect_path(code_step(admin_client, code_at(step + 1))) == "/"
    admin_client.post("/logout")

    password_step(admin_client, admin.email)

    assert code_step(admin_client, code_at(step)).status_code == 401


def test_a_code_used_in_one_browser_is_refused_in_another(app, admin, admin_client):
    other = host_client(app, "admin.workbay.test")
    code = fresh_totp_code(admin_client, admin.email)
    password_step(admin_client, admin.email)
    password_step(other, admin.email)

    assert redirect_path(code_step(admin_client, code)) == "/"
    assert code_step(other, code).status_code == 401


# --- between the two steps ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", CODE_PAGE), ("POST", CODE_PAGE), ("GET", ENROL_PAGE), ("POST", ENROL_PAGE), ("POST", ENROL_DONE)],
)
def test_the_code_and_enrolment_pages_need_the_password_step_first(admin_client, admin, method, path):
    response = admin_client.open(path, method=method, data={"code": fresh_totp_code(admin_client, admin.email)})

    assert redirect_path(response) == "/login"
    assert "Log in with your e-mail and password first." in flashes(admin_client.get("/login"))
    assert not logged_in(admin_client)


def test_a_pending_login_lasts_five_minutes(admin_client, admin, monkeypatch):
    start = time.time()
    monkeypatch.setattr("saas.platform.login_views.now", lambda: start)
    password_step(admin_client, admin.email, next_page="/metrics")
    monkeypatch.setattr("saas.platform.login_views.now", lambda: start + 5 * 60 + 1)

    response = code_step(admin_client, fresh_totp_code(admin_client, admin.email))

    assert redirect_path(response) == "/login?next=/metrics"
    assert "That took too long. Log in again." in flashes(admin_client.get("/login"))
    assert not logged_in(admin_client)


def test_a_code_within_five_minutes_of_the_password_still_works(admin_client, admin, monkeypatch):
    start = time.time()
    monkeypatch.setattr("saas.platform.login_views.now", lambda: start)
    password_step(admin_client, admin.email)
    monkeypatch.setattr("saas.platform.login_views.now", lambda: start + 5 * 60 - 1)

    assert redirect_path(code_step(admin_client, fresh_totp_code(admin_client, admin.email))) == "/"


def test_five_wrong_codes_send_back_to_the_password(admin_client, admin, app):
    wrong = code_at(step_now() - 10)
    password_step(admin_client, admin.email)
    answers = [code_step(admin_client, wrong) for _ in range(5)]

    assert [answer.status_code for answer in answers[:4]] == [401] * 4
    assert [field_errors(answer)[-1].rsplit(". ", 1)[-1] for answer in answers[:4]] == [
        "4 tries left.",
        "3 tries left.",
        "2 tries left.",
        "1 try left.",
    ]
    assert redirect_path(answers[4]) == "/login"
    assert "Too many wrong codes. Log in again." in flashes(admin_client.get("/login"))
    assert redirect_path(code_step(admin_client, fresh_totp_code(admin_client, admin.email))) == "/login"
    assert not logged_in(admin_client)
    assert len(audit_entries(app, "login.second_factor_failed")) == 5
    log_in_with(admin_client, admin.email)  # the password again, then a right code
    assert logged_in(admin_client)


def test_replaying_an_older_cookie_gives_no_more_tries(admin_client, admin):
    wrong = code_at(step_now() - 10)
    password_step(admin_client, admin.email)
    saved = admin_client.get_cookie("workbay_session", domain="admin.workbay.test").value
    for _ in range(3):
        code_step(admin_client, wrong)

    admin_client.set_cookie("workbay_session", saved, domain="admin.workbay.test")

    assert "1 try left." in field_errors(code_step(admin_client, wrong))[-1]
    assert redirect_path(code_step(admin_client, wrong)) == "/login"


def test_the_code_step_is_rate_limited(make_app, factory):
    limited = make_app(RATELIMIT_ENABLED=True)
    admin = factory.platform_admin()
    client = host_client(limited, "admin.workbay.test")
    wrong = code_at(step_now() - 10)
    try:
        client.post("/login", data={"email": admin.email, "password": PASSWORD})
        statuses = [code_step(client, wrong).status_code for _ in range(11)]
    finally:  # the limiter is one object for every app: switch it off again for the other tests
        limiter.enabled = False
        limiter.reset()

    assert statuses[:5] == [401, 401, 401, 401, 302]  # then the password again
    assert statuses[10] == 429


# --- deactivated admins, forged and odd forms ---------------------------------------------


def deactivate(app, admin_id: int) -> None:
    with app.app_context():
        db.session.get(PlatformAdmin, admin_id).deactivated_at = utcnow()
        db.session.commit()


def test_a_deactivated_admin_cannot_log_in(admin_client, admin, app):
    deactivate(app, admin.id)

    response = password_step(admin_client, admin.email)

    assert response.status_code == 403
    assert "This console account is deactivated. Ask an owner of the platform." in flashes(response)
    assert redirect_path(admin_client.get(CODE_PAGE)) == "/login"
    [entry] = audit_entries(app, "login.refused")
    assert entry.detail == "the account is deactivated"


def test_an_admin_deactivated_between_the_two_steps_is_not_logged_in(admin_client, admin, app):
    password_step(admin_client, admin.email)
    deactivate(app, admin.id)

    assert redirect_path(code_step(admin_client, fresh_totp_code(admin_client, admin.email))) == "/login"
    assert not logged_in(admin_client)


def test_a_wrong_password_of_an_admin_is_recorded(admin_client, admin, app):
    assert password_step(admin_client, admin.email, "not-the-password").status_code == 401

    [entry] = audit_entries(app, "login.refused")
    assert (entry.admin_id, entry.detail) == (admin.id, "wrong password")
    assert redirect_path(admin_client.get(CODE_PAGE)) == "/login"


@pytest.mark.parametrize(
    ("code", "status"),
    [("", 400), ("1" * 65, 400), ("١٢٣٤٥٦", 401), ("12345", 401), ("1234567", 401), ("'; DROP TABLE x; --", 401)],
)
def test_odd_codes_get_a_clear_message_never_an_error_page(admin_client, admin, code, status):
    password_step(admin_client, admin.email)

    response = code_step(admin_client, code)

    assert response.status_code == status
    assert field_errors(response)
    assert not logged_in(admin_client)


def test_a_code_form_without_its_csrf_token_is_refused(make_app, factory):

    admin = factory.platform_admin()
    protected = make_app(WTF_CSRF_ENABLED=True)
    client = host_client(protected, "admin.workbay.test")

    def token(path: str) -> str:
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(path).get_data(as_text=True))[1]

    login = client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token("/login")})
    assert redirect_path(login) == CODE_PAGE
    code = fresh_totp_code(client, admin.email)

    forged = client.post(CODE_PAGE, data={"code": code})

    assert forged.status_code == 400
    assert client.get("/").status_code == 302
    assert redirect_path(client.post(CODE_PAGE, data={"code": code, "csrf_token": token(CODE_PAGE)})) == "/"
