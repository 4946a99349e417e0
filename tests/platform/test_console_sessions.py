"""Console sessions end on the server: a copied cookie is refused after logout; "log out everywhere";
a new session at every login; the password step's limits; refusals in the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from saas.auth import login_limits
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.platform.models import PlatformAdminSession
from tests.auth.limits import limits_on
from tests.auth.session_cookies import SESSION, copy_cookies, identity_in, sent_to_login, with_identity
from tests.factories import PASSWORD, log_in
from tests.fixtures.clients import host_client
from tests.fixtures.pages import flashes, redirect_path
from tests.platform.helpers import audit_entries

CONSOLE = "admin.workbay.test"
WRONG = "not-the-password-1"


def _rows(app, admin_id: int | None = None) -> list[PlatformAdminSession]:
    with app.app_context():
        query = select(PlatformAdminSession).order_by(PlatformAdminSession.id)
        if admin_id is not None:
            query = query.where(PlatformAdminSession.admin_id == admin_id)
        rows = list(db.session.scalars(query))
        db.session.expunge_all()
        return rows


def test_a_console_cookie_copied_before_logout_is_refused_after_it(console, admin_client, app):
    thief = copy_cookies(console, host_client(app, CONSOLE), SESSION)
    assert thief.get("/").status_code == 200  # the control: the copy works while the session lives

    console.post("/logout")

    assert sent_to_login(thief.get("/"))
    assert sent_to_login(thief.get("/account"))


def test_log_out_everywhere_on_the_account_page_ends_every_console_session(console, admin, app):
    other_browser = host_client(app, CONSOLE)
    log_in(other_browser, admin.email)
    page = console.get("/account").get_data(as_text=True)
    assert "Where you are logged in" in page and page.count(">Log out</button>") == 3  # two rows, and the menu's

    response = console.post("/account/sessions/end-all")

    assert redirect_path(response) == "/login"
    assert "You are logged out of the console everywhere, on this device too." in flashes(console.get("/login"))
    assert sent_to_login(other_browser.get("/"))
    assert sent_to_login(console.get("/"))
    assert [row.revoked_at is not None for row in _rows(app, admin.id)] == [True, True]
    assert [entry.action for entry in audit_entries(app)][-1] == "logout.everywhere"


def test_one_console_session_is_logged_out_from_the_account_page(console, admin, app):
    other_browser = host_client(app, CONSOLE)
    log_in(other_browser, admin.email)
    other_row = _rows(app, admin.id)[-1]

    response = console.post(f"/account/sessions/{other_row.id}/end")

    assert redirect_path(response) == "/account"
    assert sent_to_login(other_browser.get("/"))
    assert console.get("/").status_code == 200
    assert audit_entries(app, "session.revoked")[-1].detail.startswith(f"console session {other_row.id} ")


def test_another_admins_session_cannot_be_logged_out_from_ones_account_page(console, factory, app):
    colleague = factory.platform_admin("colleague@workbay.example.com")
    their_browser = host_client(app, CONSOLE)
    log_in(their_browser, colleague.email)
    [their_row] = _rows(app, colleague.id)

    assert console.post(f"/account/sessions/{their_row.id}/end").status_code == 404
    assert their_browser.get("/").status_code == 200


def test_every_console_login_starts_a_new_session(admin_client, admin, app):
    log_in(admin_client, admin.email)
    first = identity_in(app, admin_client)
    admin_client.post("/logout")
    log_in(admin_client, admin.email)
    second = identity_in(app, admin_client)

    with admin_client.session_transaction(base_url=f"http://{CONSOLE}") as session:
        assert "platform_pending_login" not in session  # the pending login went with the old session
    assert first != second and first.startswith("admin:") and second.startswith("admin:")
    assert len(_rows(app, admin.id)) == 2


def test_a_forged_console_identity_without_the_rows_token_logs_nobody_in(console, app):
    _, row_id, _ = identity_in(app, console).split(":")

    forged = with_identity(app, host_client(app, CONSOLE), f"admin:{row_id}:{'x' * 43}")

    assert sent_to_login(forged.get("/"))


def test_closing_an_admins_account_ends_their_sessions(console, factory, app):
    colleague = factory.platform_admin("colleague@workbay.example.com")
    their_browser = host_client(app, CONSOLE)
    log_in(their_browser, colleague.email)

    console.post(
        f"/admins/{colleague.id}/deactivate", data={"account-reason": "left the company", "account-confirm": "y"}
    )

    assert sent_to_login(their_browser.get("/"))
    assert [row.is_open for row in _rows(app, colleague.id)] == [False]


def test_the_daily_job_deletes_ended_console_sessions(console, admin, app):
    from saas.auth.tasks import fan_out_session_pruning

    ended = host_client(app, CONSOLE)
    log_in(ended, admin.email)
    ended.post("/logout")
    with app.app_context():
        long_ago = utcnow() - timedelta(days=2)
        db.session.add(
            PlatformAdminSession(admin_id=admin.id, token_hash="0" * 64, expires_at=long_ago, last_seen_at=long_ago)
        )
        db.session.commit()
        fan_out_session_pruning()

    assert [row.is_open for row in _rows(app, admin.id)] == [True]
    assert console.get("/").status_code == 200


# --- the password step's limits and the audit trail ---------------------------------------


@pytest.fixture
def limited(make_app, monkeypatch):
    """(app, clock): the console with the login limits on."""
    with limits_on(make_app, monkeypatch) as made:
        yield made


def _try(client, email: str, password: str, address: str):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def test_an_admin_that_failed_five_times_waits_while_another_admin_logs_in(limited, admin, factory):
    app, clock = limited
    colleague = factory.platform_admin("colleague@workbay.example.com")
    attacker = host_client(app, CONSOLE)

    statuses = [_try(attacker, admin.email, WRONG, f"198.51.100.{n}").status_code for n in range(5)]
    refused = _try(attacker, admin.email, PASSWORD, "198.51.100.9")

    assert statuses == [401] * 5
    assert refused.status_code == 429
    assert "Too many failed logins for this account. Try again in 1 minute." in flashes(refused)
    assert redirect_path(_try(attacker, colleague.email, PASSWORD, "198.51.100.9")) == "/login/second-factor"
    clock.advance(61)
    assert redirect_path(_try(host_client(app, CONSOLE), admin.email, PASSWORD, "198.51.100.9")) == (
        "/login/second-factor"
    )


def test_an_attacker_cannot_lock_an_admin_out_of_their_usual_browser(limited, admin):
    app, _ = limited
    usual = host_client(app, CONSOLE)
    log_in(usual, admin.email)
    usual.post("/logout")
    attacker = host_client(app, CONSOLE)
    for n in range(login_limits.THRESHOLD + 2):
        _try(attacker, admin.email, WRONG, f"203.0.113.{n}")

    assert _try(attacker, admin.email, PASSWORD, "203.0.113.50").status_code == 429
    assert redirect_path(_try(usual, admin.email, PASSWORD, "203.0.113.51")) == "/login/second-factor"


def test_refused_console_logins_are_in_the_audit_trail_without_the_password(limited, admin):
    app, _ = limited
    client = host_client(app, CONSOLE)
    for n in range(5):
        _try(client, admin.email, WRONG, f"192.0.2.{n}")
    _try(client, admin.email, PASSWORD, "192.0.2.9")
    _try(client, "stranger@example.com", WRONG, "192.0.2.10")

    refused = [(entry.admin_id, entry.detail, entry.ip_address) for entry in audit_entries(app, "login.refused")]

    assert refused == [
        *[(admin.id, "wrong password", f"192.0.2.{n}") for n in range(5)],
        (admin.id, "too many failed logins", "192.0.2.9"),
        (None, "no admin with this e-mail: stranger@example.com", "192.0.2.10"),
    ]
    assert not any(WRONG in detail or PASSWORD in detail for _, detail, _ in refused)
