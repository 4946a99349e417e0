"""Staff log in and out at their shop's address; `next` never leads off the site."""

from urllib.parse import parse_qs, quote, urlsplit

import pytest

from saas.auth.roles import Role
from tests.factories import PASSWORD, log_in
from tests.fixtures.pages import flashes, redirect_path

REFUSAL = "That e-mail and password do not match an account at this shop."


def test_right_credentials_lead_to_the_dashboard(shop_client, owner):
    client = shop_client("acme")

    response = client.post("/login", data={"email": owner.email, "password": PASSWORD})

    assert redirect_path(response) == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert "Good to see you, Owner" in dashboard.get_data(as_text=True)


def test_email_is_matched_whatever_its_case(shop_client, owner):
    response = shop_client("acme").post("/login", data={"email": owner.email.upper(), "password": PASSWORD})

    assert redirect_path(response) == "/"


@pytest.mark.parametrize(
    ("email", "password"),
    [("owner@acme.example.com", "wrong-password-1"), ("nobody@acme.example.com", PASSWORD)],
    ids=["wrong password", "unknown e-mail"],
)
def test_wrong_credentials_are_refused_with_401_and_a_message(shop_client, owner, email, password):
    client = shop_client("acme")

    response = client.post("/login", data={"email": email, "password": password})

    assert response.status_code == 401
    assert REFUSAL in flashes(response)
    assert redirect_path(client.get("/")).startswith("/login")


def test_staff_of_one_shop_cannot_log_in_at_another(shop_client, owner, other_shop):
    response = shop_client("globex").post("/login", data={"email": owner.email, "password": PASSWORD})

    assert response.status_code == 401


def test_deactivated_staff_member_cannot_log_in(shop_client, factory, shop, owner_client):
    technician = factory.user(shop, Role.TECHNICIAN)
    owner_client.post(f"/staff/{technician.id}/access", data={"active": "0"})

    response = shop_client("acme").post("/login", data={"email": technician.email, "password": PASSWORD})

    assert response.status_code == 401
    assert REFUSAL in flashes(response)


def test_login_page_sends_a_logged_in_user_to_the_dashboard(owner_client):
    assert redirect_path(owner_client.get("/login")) == "/"


def test_logout_only_answers_post(owner_client):
    assert owner_client.get("/logout").status_code == 405
    assert owner_client.get("/").status_code == 200


def test_logout_ends_the_session(owner_client):
    response = owner_client.post("/logout")

    assert redirect_path(response) == "/login"
    assert "You are logged out." in flashes(owner_client.get("/login"))
    assert redirect_path(owner_client.get("/")).startswith("/login")
    assert redirect_path(owner_client.get("/customers")).startswith("/login")


def test_a_page_that_needs_login_sends_you_back_to_it_afterwards(shop_client, owner):
    client = shop_client("acme")

    login_url = redirect_path(client.get("/customers"))
    assert urlsplit(login_url).path == "/login"
    assert parse_qs(urlsplit(login_url).query) == {"next": ["/customers"]}

    response = client.post(login_url, data={"email": owner.email, "password": PASSWORD})
    assert redirect_path(response) == "/customers"


@pytest.mark.parametrize(
    ("next_target", "landing"),
    [
        ("/customers", "/customers"),
        ("/customers?q=ada", "/customers?q=ada"),
        ("//evil.com", "/"),
        ("//evil.com/customers", "/"),
        ("http://evil.com", "/"),
        ("https://evil.com/login", "/"),
        ("/\\evil.com", "/"),
        ("/\t/evil.com", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_is_followed_only_for_a_path_on_this_site(shop_client, owner, next_target, landing):
    client = shop_client("acme")

    response = client.post(f"/login?next={quote(next_target)}", data={"email": owner.email, "password": PASSWORD})

    assert response.headers["Location"] == landing


def test_a_session_from_one_shop_is_worthless_at_another(shop_client, owner, other_shop):
    acme = shop_client("acme")
    log_in(acme, owner.email)
    cookie = acme.get_cookie("workbay_session", domain="acme.workbay.test")
    globex = shop_client("globex")

    globex.set_cookie("workbay_session", cookie.value, domain="globex.workbay.test")

    assert redirect_path(globex.get("/")).startswith("/login")
