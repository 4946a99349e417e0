"""E-mail verification: the mailed link confirms the address, at its own shop only."""

import pytest

from tests.fixtures.pages import flashes, link_path, redirect_path, tampered
from tests.fixtures.shops import user_of

NOTICE = "Please confirm your e-mail address"
BAD_LINK = "This confirmation link is invalid or expired."


@pytest.fixture
def verification_link(owner_client, owner, outbox):
    """The owner asks for the confirmation mail from the dashboard; this is its link."""
    owner_client.post("/account/verification")
    return outbox.link_in_last_to(owner.email)


def test_an_unverified_owner_is_reminded_and_can_ask_for_the_mail_again(owner_client, owner, outbox):
    assert NOTICE in owner_client.get("/").get_data(as_text=True)

    response = owner_client.post("/account/verification")

    assert redirect_path(response) == "/"
    assert f"We sent a new confirmation link to {owner.email}." in flashes(owner_client.get("/"))
    assert outbox.last_to(owner.email)["Subject"] == "Confirm your e-mail address for Workbay"
    assert outbox.link_in_last_to(owner.email).startswith("http://acme.workbay.test/verify-email/")


def test_verification_link_confirms_the_address(verification_link, owner_client, owner, shop_client, app):
    response = shop_client("acme").get(verification_link)

    assert redirect_path(response) == "/"
    assert user_of(app, owner).email_verified_at is not None
    assert NOTICE not in owner_client.get("/").get_data(as_text=True)


def test_a_verified_owner_gets_no_more_confirmation_mails(verification_link, owner_client, shop_client, outbox):
    shop_client("acme").get(verification_link)

    owner_client.post("/account/verification")

    assert len(outbox.messages) == 1


def test_tampered_verification_link_confirms_nothing(verification_link, shop_client, owner, app):
    client = shop_client("acme")

    response = client.get(tampered(verification_link))

    assert redirect_path(response) == "/login"
    assert BAD_LINK in flashes(client.get("/login"))
    assert user_of(app, owner).email_verified_at is None


def test_verification_link_of_one_shop_confirms_nothing_at_another(
    verification_link, shop_client, owner, other_shop, app
):
    client = shop_client("globex")

    response = client.get(link_path(verification_link))

    assert redirect_path(response) == "/login"
    assert BAD_LINK in flashes(client.get("/login"))
    assert user_of(app, owner).email_verified_at is None


@pytest.mark.parametrize(("days", "works"), [(6, True), (8, False)], ids=["after 6 days", "after 8 days"])
def test_verification_link_expires_after_seven_days(
    verification_link, shop_client, owner, clock_ahead, app, days, works
):
    with clock_ahead(days * 24 * 3600):
        response = shop_client("acme").get(verification_link)

    assert redirect_path(response) == ("/" if works else "/login")
    assert (user_of(app, owner).email_verified_at is not None) is works
