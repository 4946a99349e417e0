"""Forgotten passwords: a mailed link that works once, for one hour, at one shop, and logs out other devices."""

import pytest

from saas.auth.roles import Role
from tests.factories import PASSWORD
from tests.fixtures.pages import flashes, link_path, redirect_path, tampered

NEW_PASSWORD = "a-brand-new-secret"
ANSWER = "If that address belongs to staff here, a reset link is on its way. It works for one hour."
BAD_LINK = "This reset link is invalid, expired or already used. Ask for a new one."


@pytest.fixture
def ask_for_reset(shop_client):
    """Fill in the forgot-password form at acme for `email`; returns the response."""

    def ask(email: str):
        return shop_client("acme").post("/forgot-password", data={"email": email})

    return ask


@pytest.fixture
def reset_link(ask_for_reset, owner, outbox):
    """The link mailed to acme's owner."""
    ask_for_reset(owner.email)
    return outbox.link_in_last_to(owner.email)


def choose_password(client, link: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(link, data={"password": password, "confirm": confirm or password})


def can_log_in(shop_client, email: str, password: str, subdomain: str = "acme") -> bool:
    response = shop_client(subdomain).post("/login", data={"email": email, "password": password})
    return response.status_code == 302


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(shop_client, owner, outbox):
    answers = []
    for email in (owner.email, "stranger@example.com"):
        response = shop_client("acme").post("/forgot-password", data={"email": email}, follow_redirects=True)
        answers.append((response.request.path, flashes(response)))

    assert answers[0] == answers[1] == ("/login", [ANSWER])
    assert [message["To"] for message in outbox.messages] == [owner.email]


def test_reset_mail_holds_a_link_to_the_shop(reset_link, outbox, owner):
    assert reset_link.startswith("http://acme.workbay.test/reset-password/")
    assert outbox.last_to(owner.email)["Subject"] == "Reset your Acme Repairs password"


def test_deactivated_staff_member_gets_no_reset_mail(ask_for_reset, factory, shop, owner_client, outbox):
    technician = factory.user(shop, Role.TECHNICIAN)
    owner_client.post(f"/staff/{technician.id}/access", data={"active": "0"})

    ask_for_reset(technician.email)

    assert outbox.messages == []


def test_reset_link_sets_the_new_password_and_logs_you_in(reset_link, shop_client, owner):
    client = shop_client("acme")
    assert client.get(reset_link).status_code == 200

    response = choose_password(client, reset_link)

    assert redirect_path(response) == "/"
    assert client.get("/").status_code == 200
    assert can_log_in(shop_client, owner.email, NEW_PASSWORD)
    assert not can_log_in(shop_client, owner.email, PASSWORD)


def test_reset_link_works_only_once(reset_link, shop_client, owner):
    choose_password(shop_client("acme"), reset_link)
    client = shop_client("acme")

    opened_again = client.get(reset_link)
    used_again = choose_password(client, reset_link, "yet-another-secret")

    assert redirect_path(opened_again) == redirect_path(used_again) == "/forgot-password"
    assert BAD_LINK in flashes(client.get("/forgot-password"))
    assert can_log_in(shop_client, owner.email, NEW_PASSWORD)
    assert not can_log_in(shop_client, owner.email, "yet-another-secret")


def test_a_newer_reset_link_still_works_after_an_older_one_was_never_used(ask_for_reset, owner, outbox, shop_client):
    ask_for_reset(owner.email)
    ask_for_reset(owner.email)
    newest = outbox.link_in_last_to(owner.email)

    assert redirect_path(choose_password(shop_client("acme"), newest)) == "/"


@pytest.mark.parametrize(("minutes", "works"), [(59, True), (61, False)], ids=["after 59 minutes", "after 61 minutes"])
def test_reset_link_expires_after_one_hour(reset_link, owner, shop_client, clock_ahead, minutes, works):
    with clock_ahead(minutes * 60):
        response = choose_password(shop_client("acme"), reset_link)

    assert (redirect_path(response) == "/") is works
    assert can_log_in(shop_client, owner.email, NEW_PASSWORD) is works
    assert can_log_in(shop_client, owner.email, PASSWORD) is not works


def test_tampered_reset_link_is_refused(reset_link, shop_client, owner):
    client = shop_client("acme")

    assert redirect_path(client.get(tampered(reset_link))) == "/forgot-password"
    assert redirect_path(choose_password(client, tampered(reset_link))) == "/forgot-password"
    assert can_log_in(shop_client, owner.email, PASSWORD)


def test_reset_link_of_one_shop_does_not_work_at_another(reset_link, shop_client, owner, factory, other_shop):
    factory.user(other_shop, Role.OWNER, email=owner.email)
    globex = shop_client("globex")

    assert redirect_path(globex.get(link_path(reset_link))) == "/forgot-password"
    assert redirect_path(choose_password(globex, link_path(reset_link))) == "/forgot-password"
    assert can_log_in(shop_client, owner.email, PASSWORD, "acme")
    assert can_log_in(shop_client, owner.email, PASSWORD, "globex")


def test_reset_form_refuses_a_weak_or_mistyped_password_and_the_link_stays_usable(reset_link, shop_client):
    client = shop_client("acme")

    too_short = choose_password(client, reset_link, "short")
    mistyped = choose_password(client, reset_link, NEW_PASSWORD, "a-brand-new-secreT")

    assert too_short.status_code == mistyped.status_code == 400
    assert "Use at least 10 characters." in too_short.get_data(as_text=True)
    assert "The two passwords differ." in mistyped.get_data(as_text=True)
    assert redirect_path(choose_password(client, reset_link)) == "/"


def test_resetting_the_password_logs_out_every_other_session(reset_link, login_as, owner, shop_client):
    other_device = login_as(owner)
    assert other_device.get("/").status_code == 200

    choose_password(shop_client("acme"), reset_link)

    assert redirect_path(other_device.get("/")).startswith("/login")
