"""Logging out ends a session on the server: a copy of its cookies made before is refused after it.

Every login is a `StaffSession` row; the cookies name the row, and logout, "log out everywhere", a
password change and deactivation revoke rows.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from saas.auth.models import StaffSession
from saas.auth.roles import Role
from saas.core.db import utcnow
from tests.auth.session_cookies import (
    REMEMBER,
    SESSION,
    cookie_of,
    copy_cookies,
    identity_in,
    sent_to_login,
    with_identity,
)
from tests.factories import PASSWORD, log_in
from tests.fixtures.database import shop_session
from tests.fixtures.pages import flashes, redirect_path


def _log_in_remembered(client, email: str):
    response = client.post("/login", data={"email": email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302, response.status_code
    return client


def _rows(app, tenant_id: int, user_id: int | None = None) -> list[StaffSession]:
    with shop_session(app, tenant_id) as session:
        query = select(StaffSession).order_by(StaffSession.id)
        if user_id is not None:
            query = query.where(StaffSession.user_id == user_id)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def _open_rows(app, tenant_id: int, user_id: int) -> list[StaffSession]:
    return [row for row in _rows(app, tenant_id, user_id) if row.is_open]


# --- a copy made before logging out -------------------------------------------------------


def test_a_session_cookie_copied_before_logout_is_refused_after_it(shop_client, owner):
    browser = shop_client("acme")
    log_in(browser, owner.email)
    thief = copy_cookies(browser, shop_client("acme"), SESSION)
    assert thief.get("/customers").status_code == 200  # the control: the copy works while the session lives

    browser.post("/logout")

    assert sent_to_login(thief.get("/customers"))
    assert sent_to_login(thief.get("/"))


def test_a_remember_cookie_alone_copied_before_logout_is_refused_after_it(shop_client, owner):
    browser = _log_in_remembered(shop_client("acme"), owner.email)
    copied = cookie_of(browser, REMEMBER)
    earlier_thief = shop_client("acme")
    earlier_thief.set_cookie(REMEMBER, copied, domain=earlier_thief.host)
    assert earlier_thief.get("/customers").status_code == 200  # the control: the remember cookie alone logs in

    browser.post("/logout")

    thief = shop_client("acme")
    thief.set_cookie(REMEMBER, copied, domain=thief.host)
    assert sent_to_login(thief.get("/customers"))
    assert sent_to_login(earlier_thief.get("/customers"))  # the session it made from the cookie ended too


def test_log_out_everywhere_ends_the_sessions_of_other_browsers_and_this_one(shop_client, owner, app, shop):
    laptop = _log_in_remembered(shop_client("acme"), owner.email)
    phone = shop_client("acme")
    log_in(phone, owner.email)
    assert phone.get("/customers").status_code == 200

    response = laptop.post("/account/sessions/end-all")

    assert redirect_path(response) == "/login"
    assert "You are logged out everywhere, on this device too." in flashes(laptop.get("/login"))
    assert sent_to_login(phone.get("/customers"))
    assert sent_to_login(laptop.get("/customers"))
    assert _open_rows(app, shop.id, owner.id) == []


def test_a_password_change_ends_the_other_sessions(shop_client, owner, outbox):
    elsewhere = shop_client("acme")
    log_in(elsewhere, owner.email)
    here = shop_client("acme")
    here.post("/forgot-password", data={"email": owner.email})
    link = outbox.link_in_last_to(owner.email)

    response = here.post(link, data={"password": "a-brand-new-secret", "confirm": "a-brand-new-secret"})

    assert redirect_path(response) == "/"
    assert here.get("/customers").status_code == 200  # the reset link logs in, with a new session
    assert sent_to_login(elsewhere.get("/customers"))


def test_deactivating_a_staff_member_ends_their_sessions(shop_client, owner_client, factory, shop, app):
    technician = factory.user(shop, Role.TECHNICIAN)
    their_browser = shop_client("acme")
    log_in(their_browser, technician.email)

    owner_client.post(f"/staff/{technician.id}/access", data={"active": "0"})

    assert sent_to_login(their_browser.get("/"))
    assert _open_rows(app, shop.id, technician.id) == []


# --- rotation at login --------------------------------------------------------------------


def test_logging_in_starts_a_new_session_whatever_the_browser_held_before(shop_client, owner, app):
    browser = shop_client("acme")
    with browser.session_transaction(base_url=f"http://{browser.host}") as planted:
        planted["_user_id"] = "staff:1:1:planted-token-planted-token"
        planted["planted"] = "by someone else"

    log_in(browser, owner.email)
    first = identity_in(app, browser)
    browser.post("/logout")
    log_in(browser, owner.email)
    second = identity_in(app, browser)

    with browser.session_transaction(base_url=f"http://{browser.host}") as session:
        assert "planted" not in session
    assert first.startswith("staff:") and second.startswith("staff:")
    assert len({first, second, "staff:1:1:planted-token-planted-token"}) == 3


def test_each_login_is_its_own_row_with_its_browser_and_address(shop_client, owner, app, shop):
    shop_client("acme").post(
        "/login",
        data={"email": owner.email, "password": PASSWORD},
        headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Firefox/140.0"},
    )
    log_in(shop_client("acme"), owner.email)

    rows = _rows(app, shop.id, owner.id)
    assert len(rows) == 2
    assert [row.device for row in rows][0] == "Firefox on Windows"
    assert {row.ip_address for row in rows} == {"127.0.0.1"}
    assert len({row.token_hash for row in rows}) == 2


# --- the account page ---------------------------------------------------------------------


def test_the_account_page_lists_the_open_sessions_and_logs_out_one_of_them(shop_client, owner, app, shop):
    here = shop_client("acme")
    log_in(here, owner.email)
    there = shop_client("acme")
    log_in(there, owner.email)
    there_row = _rows(app, shop.id, owner.id)[-1]

    page = here.get("/account").get_data(as_text=True)
    assert page.count('class="link-button danger" type="submit">Log out</button>') == 2
    assert "this browser" in page

    response = here.post(f"/account/sessions/{there_row.id}/end")

    assert redirect_path(response) == "/account"
    assert sent_to_login(there.get("/customers"))
    assert here.get("/customers").status_code == 200


def test_logging_out_this_browser_from_the_list_logs_it_out(shop_client, owner, app, shop):
    here = shop_client("acme")
    log_in(here, owner.email)
    [row] = _rows(app, shop.id, owner.id)

    assert redirect_path(here.post(f"/account/sessions/{row.id}/end")) == "/login"
    assert sent_to_login(here.get("/customers"))


def test_an_owner_logs_out_a_technicians_session_from_their_staff_page(shop_client, owner_client, factory, shop, app):
    technician = factory.user(shop, Role.TECHNICIAN, name="Tess")
    their_browser = shop_client("acme")
    log_in(their_browser, technician.email)
    [row] = _rows(app, shop.id, technician.id)
    assert "Where Tess is logged in" in owner_client.get(f"/staff/{technician.id}").get_data(as_text=True)

    response = owner_client.post(f"/account/sessions/{row.id}/end")

    assert redirect_path(response) == f"/staff/{technician.id}"
    assert sent_to_login(their_browser.get("/"))


def test_a_technician_cannot_log_out_someone_elses_session(shop_client, owner, technician_client, app, shop):
    owners_browser = shop_client("acme")
    log_in(owners_browser, owner.email)
    [row] = _rows(app, shop.id, owner.id)

    response = technician_client.post(f"/account/sessions/{row.id}/end")

    assert response.status_code == 303
    assert "You can log out only your own sessions." in flashes(technician_client.get("/account"))
    assert owners_browser.get("/customers").status_code == 200


# --- ends on its own, and is cleaned up ---------------------------------------------------


def _set_row(app, tenant_id: int, row_id: int, **values) -> None:
    with shop_session(app, tenant_id) as session:
        session.execute(update(StaffSession).where(StaffSession.id == row_id).values(**values))
        session.commit()


def test_an_expired_session_logs_nobody_in(shop_client, owner, app, shop):
    browser = _log_in_remembered(shop_client("acme"), owner.email)
    [row] = _rows(app, shop.id, owner.id)

    _set_row(app, shop.id, row.id, expires_at=utcnow() - timedelta(seconds=1))

    assert sent_to_login(browser.get("/customers"))
    assert sent_to_login(copy_cookies(browser, shop_client("acme"), REMEMBER).get("/customers"))


def test_last_seen_is_written_only_every_few_minutes_and_moves_the_end_of_an_unremembered_session(
    shop_client, owner, app, shop
):
    browser = shop_client("acme")
    log_in(browser, owner.email)
    [row] = _rows(app, shop.id, owner.id)
    browser.get("/customers")
    assert _rows(app, shop.id, owner.id)[0].last_seen_at == row.last_seen_at  # a minute later: not written

    earlier = utcnow() - timedelta(minutes=10)
    _set_row(app, shop.id, row.id, last_seen_at=earlier, expires_at=earlier + timedelta(hours=12))
    browser.get("/customers")

    [seen] = _rows(app, shop.id, owner.id)
    assert seen.last_seen_at > earlier + timedelta(minutes=9)
    assert seen.expires_at > earlier + timedelta(hours=12, minutes=9)


def test_the_daily_job_deletes_ended_sessions_of_every_shop_and_keeps_open_ones(app, shop_client, owner, shop, factory):
    from saas.auth.tasks import fan_out_session_pruning
    from tests.tasks.helpers import run_pending_jobs

    other = factory.tenant("globex")
    other_owner = factory.owner(other)
    kept = shop_client("acme")
    log_in(kept, owner.email)
    ended = shop_client("acme")
    log_in(ended, owner.email)
    ended.post("/logout")
    gone_elsewhere = shop_client("globex")
    log_in(gone_elsewhere, other_owner.email)
    [other_row] = _rows(app, other.id, other_owner.id)
    _set_row(app, other.id, other_row.id, expires_at=utcnow() - timedelta(days=1))

    with app.app_context():
        assert fan_out_session_pruning() == 2
    run_pending_jobs(app)

    assert [row.is_open for row in _rows(app, shop.id)] == [True]
    assert _rows(app, other.id) == []
    assert kept.get("/customers").status_code == 200


# --- tenancy ------------------------------------------------------------------------------


def test_a_session_row_of_one_shop_logs_nobody_in_at_another_even_with_a_forged_cookie(
    app, shop_client, owner, other_shop
):
    acme = shop_client("acme")
    log_in(acme, owner.email)
    _, _, row_id, token = identity_in(app, acme).split(":")

    # Even signed with the app's own key: globex's identity naming acme's row (and its token).
    forged = with_identity(app, shop_client("globex"), f"staff:{other_shop.id}:{row_id}:{token}")

    assert sent_to_login(forged.get("/"))
    assert forged.get("/login").status_code == 200


@pytest.mark.parametrize("token", ["a-guessed-token-of-forty-three-characters-x", "short"])
def test_a_forged_cookie_without_the_rows_token_logs_nobody_in(app, shop_client, owner, shop, token):
    acme = shop_client("acme")
    log_in(acme, owner.email)
    _, tenant, row_id, _ = identity_in(app, acme).split(":")

    forged = with_identity(app, shop_client("acme"), f"staff:{tenant}:{row_id}:{token}")

    assert sent_to_login(forged.get("/customers"))
    assert acme.get("/customers").status_code == 200  # the real one still works
