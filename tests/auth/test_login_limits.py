"""Login limits at a shop: per address, per account with a capped back-off that spares the account's
known browsers; every refused login is on the shop's access log."""

from __future__ import annotations

import os

import pytest
import redis
from sqlalchemy import select

from saas.audit.models import AccessLogEntry
from saas.auth import login_limits
from saas.auth.roles import Role
from tests.auth.limits import limits_on
from tests.factories import PASSWORD
from tests.fixtures.clients import host_client
from tests.fixtures.database import shop_session
from tests.fixtures.mail import Outbox
from tests.fixtures.pages import flashes, redirect_path

ACME = "acme.workbay.test"
WRONG = "not-the-password-1"
WAIT_A_MINUTE = "Too many failed logins for this account. Try again in 1 minute. Or reset your password by e-mail."


@pytest.fixture
def limited(make_app, monkeypatch, shop):
    """(app, clock): acme's host with the login limits on."""
    with limits_on(make_app, monkeypatch) as made:
        yield made


def _try(client, email: str, password: str, address: str = "198.51.100.7"):
    """One login try from `address` (a new address each few tries keeps the per-address limit out of the way)."""
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"},
    )


def _fail(client, email: str, times: int, first_address: int = 1) -> list[int]:
    return [_try(client, email, WRONG, f"198.51.100.{first_address + n}").status_code for n in range(times)]


def test_after_five_failures_the_account_waits_with_429_and_a_clear_message(limited, owner):
    app, _ = limited
    attacker = host_client(app, ACME)

    assert _fail(attacker, owner.email, login_limits.THRESHOLD) == [401] * 5
    refused = _try(attacker, owner.email, PASSWORD, "198.51.100.99")  # even the right password waits

    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60  # flask-limiter restates it against its own clock
    assert WAIT_A_MINUTE in flashes(refused)


def test_another_account_from_the_same_address_still_logs_in(limited, owner, factory, shop):
    app, _ = limited
    technician = factory.user(shop, Role.TECHNICIAN)
    same_address = host_client(app, ACME)
    for _ in range(login_limits.THRESHOLD):
        _try(same_address, owner.email, WRONG, "203.0.113.9")

    assert _try(same_address, owner.email, PASSWORD, "203.0.113.9").status_code == 429
    assert redirect_path(_try(same_address, technician.email, PASSWORD, "203.0.113.9")) == "/"


def test_the_wait_doubles_with_each_failure_then_ends_and_a_success_starts_over(limited, owner):
    app, clock = limited
    client = host_client(app, ACME)
    _fail(client, owner.email, login_limits.THRESHOLD)

    clock.advance(61)
    assert _try(client, owner.email, WRONG, "192.0.2.1").status_code == 401  # the one try after the wait
    second = _try(client, owner.email, PASSWORD, "192.0.2.2")
    assert second.status_code == 429
    assert "Try again in 2 minutes." in flashes(second)[0]
    clock.advance(61)
    assert "Try again in 1 minute." in flashes(_try(client, owner.email, PASSWORD, "192.0.2.3"))[0]
    clock.advance(60)

    assert redirect_path(_try(client, owner.email, PASSWORD, "192.0.2.4")) == "/"
    client.post("/logout")
    assert _try(client, owner.email, WRONG, "192.0.2.5").status_code == 401  # counted from nothing again


def test_the_wait_never_exceeds_fifteen_minutes():
    waits = [login_limits.wait_for(failures) for failures in range(3, 12)]

    assert waits == [0, 0, 60, 120, 240, 480, 900, 900, 900]
    assert login_limits.wait_for(10_000) == login_limits.MAX_WAIT == 15 * 60


def test_an_attacker_cannot_lock_the_owner_out_of_a_browser_they_logged_in_with_before(limited, owner):
    app, _ = limited
    usual_browser = host_client(app, ACME)
    assert redirect_path(_try(usual_browser, owner.email, PASSWORD)) == "/"
    usual_browser.post("/logout")
    attacker = host_client(app, ACME)
    _fail(attacker, owner.email, 8)

    assert _try(attacker, owner.email, PASSWORD, "198.51.100.50").status_code == 429
    assert _try(host_client(app, ACME), owner.email, PASSWORD, "198.51.100.51").status_code == 429  # a new browser
    assert redirect_path(_try(usual_browser, owner.email, PASSWORD, "198.51.100.52")) == "/"


def test_a_known_browser_has_its_own_back_off_and_leaves_the_accounts_alone(limited, owner):
    app, _ = limited
    known = host_client(app, ACME)
    _try(known, owner.email, PASSWORD)
    known.post("/logout")

    assert _fail(known, owner.email, login_limits.THRESHOLD) == [401] * 5
    assert _try(known, owner.email, PASSWORD, "198.51.100.60").status_code == 429
    assert redirect_path(_try(host_client(app, ACME), owner.email, PASSWORD, "198.51.100.61")) == "/"


def test_the_password_reset_link_logs_in_while_the_account_waits(limited, owner):
    app, _ = limited
    _fail(host_client(app, ACME), owner.email, login_limits.THRESHOLD)
    browser = host_client(app, ACME)
    browser.post("/forgot-password", data={"email": owner.email})
    link = Outbox(app.config["MAIL_OUTBOX_DIR"]).link_in_last_to(owner.email)

    response = browser.post(link, data={"password": "a-brand-new-secret", "confirm": "a-brand-new-secret"})

    assert redirect_path(response) == "/"
    assert browser.get("/customers").status_code == 200


def test_one_address_gets_ten_login_tries_a_minute(limited, owner):
    app, _ = limited
    client = host_client(app, ACME)

    statuses = [_try(client, f"someone{n}@acme.example.com", WRONG, "198.51.100.200").status_code for n in range(11)]

    assert statuses == [401] * 10 + [429]


# --- the access log -------------------------------------------------------------------------


def _failed_logins(app, tenant_id: int) -> list[AccessLogEntry]:
    with shop_session(app, tenant_id) as session:
        rows = list(
            session.scalars(
                select(AccessLogEntry).where(AccessLogEntry.action == "login_failed").order_by(AccessLogEntry.id)
            )
        )
        session.expunge_all()
        return rows


def test_every_refused_login_is_on_the_shops_access_log_with_address_and_browser(
    app, shop_client, shop, owner, factory, owner_client
):
    technician = factory.user(shop, Role.TECHNICIAN)
    owner_client.post(f"/staff/{technician.id}/access", data={"active": "0"})
    client = shop_client("acme")
    _try(client, owner.email, WRONG)
    _try(client, "nobody@acme.example.com", WRONG)
    _try(client, technician.email, PASSWORD)

    entries = _failed_logins(app, shop.id)

    assert [(entry.user_id, entry.description) for entry in entries] == [
        (owner.id, f"Failed login as {owner.email}: wrong password"),
        (None, "Failed login as nobody@acme.example.com: no account with this e-mail"),
        (technician.id, f"Failed login as {technician.email}: the account is deactivated"),
    ]
    assert {(entry.ip_address, entry.user_agent) for entry in entries} == {
        ("198.51.100.7", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
    }
    assert not any(WRONG in entry.description or PASSWORD in entry.description for entry in entries)
    page = owner_client.get("/access-log?action=login_failed").get_data(as_text=True)
    assert "Failed login" in page and "nobody@acme.example.com" in page


def test_a_refusal_while_the_account_waits_is_logged_too(limited, owner, shop):
    app, _ = limited
    client = host_client(app, ACME)
    _fail(client, owner.email, login_limits.THRESHOLD)
    _try(client, owner.email, PASSWORD, "198.51.100.90")

    descriptions = [entry.description for entry in _failed_logins(app, shop.id)]

    assert descriptions == [f"Failed login as {owner.email}: wrong password"] * 5 + [
        f"Failed login as {owner.email}: too many failed logins"
    ]


def test_a_failed_login_at_one_shop_is_on_that_shops_log_only(app, shop_client, shop, owner, other_shop):
    _try(shop_client("globex"), owner.email, PASSWORD)  # acme's owner at globex: no account there

    assert [entry.user_id for entry in _failed_logins(app, other_shop.id)] == [None]
    assert _failed_logins(app, shop.id) == []


# --- Redis ------------------------------------------------------------------------------------


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="set TEST_REDIS_URL (redis://…) to run against Redis")
def test_with_redis_the_counts_live_in_redis_where_every_worker_sees_them(make_app, monkeypatch, shop, owner):
    url = os.environ["TEST_REDIS_URL"]
    redis_client = redis.Redis.from_url(url)
    redis_client.flushdb()
    with limits_on(make_app, monkeypatch, RATELIMIT_STORAGE_URI=url) as (app, _):
        client = host_client(app, ACME)
        _fail(client, owner.email, login_limits.THRESHOLD)
        refused = _try(client, owner.email, PASSWORD, "198.51.100.99")
        stored = [key.decode() for key in redis_client.keys("*workbay-login*")]
    redis_client.flushdb()

    assert refused.status_code == 429
    assert stored and not any(owner.email in key for key in stored)  # keyed hashes, never the e-mail
