"""Signup on the public site: a shop in trial, its owner, their consent, a verification mail, a welcome link."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from saas.privacy.models import PolicyAcceptance
from saas.privacy.policies import PRIVACY, TERMS
from tests.fixtures.database import shop_session
from tests.fixtures.pages import field_errors, flashes, invalid_fields, link_path, redirect_path, tampered
from tests.fixtures.shops import user_by_email
from tests.onboarding.helpers import SIGNER_IP, SIGNUP, all_tenants, tenant_at

OWNER_EMAIL = SIGNUP["email"]
WELCOME_LINK = re.compile(r"^http://acme\.workbay\.test/welcome/[\w.-]+$")


def test_signup_page_shows_the_form(client):
    response = client.get("/signup")

    assert response.status_code == 200
    assert "Start your free trial" in response.get_data(as_text=True)


def test_signup_creates_the_shop_in_a_14_day_trial(sign_up, app):
    sign_up()

    [tenant] = all_tenants(app)
    assert (tenant.name, tenant.subdomain, tenant.country, tenant.status) == ("Acme Repairs", "acme", "US", "trialing")
    assert abs(tenant.trial_ends_at - (datetime.now(UTC) + timedelta(days=14))) < timedelta(minutes=1)


def test_the_person_who_signs_up_becomes_the_owner(sign_up, app):
    sign_up(email="Ada@ACME.example.com")

    tenant = tenant_at(app, "acme")
    owner = user_by_email(app, tenant.id, OWNER_EMAIL)
    assert (owner.name, owner.role, owner.is_active_account) == ("Ada Owner", "owner", True)
    assert owner.email_verified_at is None


def test_signup_records_acceptance_of_the_current_terms_and_privacy_policy(sign_up, app):
    sign_up()

    tenant = tenant_at(app, "acme")
    owner = user_by_email(app, tenant.id, OWNER_EMAIL)
    with shop_session(app, tenant.id) as session:
        acceptances = session.scalars(select(PolicyAcceptance)).all()
        recorded = {(row.document, row.version, row.user_id, row.ip_address) for row in acceptances}
        moments = [row.accepted_at for row in acceptances]
    assert recorded == {
        ("terms", TERMS.version, owner.id, SIGNER_IP),
        ("privacy", PRIVACY.version, owner.id, SIGNER_IP),
    }
    assert len(moments) == 2
    assert all(abs(moment - datetime.now(UTC)) < timedelta(minutes=1) for moment in moments)


def test_signup_mails_the_owner_a_link_that_verifies_the_address(sign_up, outbox, shop_client, app):
    sign_up()

    [mail] = outbox.messages
    assert mail["To"] == OWNER_EMAIL
    assert mail["Subject"] == "Confirm your e-mail address for Workbay"
    link = outbox.link_in_last_to(OWNER_EMAIL)
    assert link.startswith("http://acme.workbay.test/verify-email/")

    shop_client("acme").get(link)

    assert user_by_email(app, tenant_at(app, "acme").id, OWNER_EMAIL).email_verified_at is not None


def test_signup_sends_the_owner_to_a_welcome_link_on_the_new_shop_host(sign_up):
    response = sign_up()

    assert response.status_code == 302
    assert WELCOME_LINK.match(response.headers["Location"])


def test_welcome_link_logs_the_owner_in_on_the_dashboard(sign_up, shop_client):
    welcome = sign_up().headers["Location"]
    client = shop_client("acme")

    response = client.get(welcome)

    assert redirect_path(response) == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    page = dashboard.get_data(as_text=True)
    assert "Acme Repairs" in page and "Good to see you, Ada" in page
    assert "Welcome to Workbay, Ada Owner! Your Acme Repairs trial has started." in flashes(dashboard)


def test_a_new_shop_is_told_it_has_14_trial_days_left(sign_up, shop_client):
    client = shop_client("acme")
    client.get(sign_up().headers["Location"])

    assert "Free trial: 14 days left" in client.get("/").get_data(as_text=True)


def test_welcome_link_works_only_once(sign_up, shop_client):
    welcome = sign_up().headers["Location"]
    shop_client("acme").get(welcome)
    someone_else = shop_client("acme")

    response = someone_else.get(welcome)

    assert redirect_path(response) == "/login"
    assert redirect_path(someone_else.get("/")).startswith("/login")


def test_tampered_welcome_link_logs_nobody_in(sign_up, shop_client):
    welcome = sign_up().headers["Location"]
    client = shop_client("acme")

    assert redirect_path(client.get(tampered(welcome))) == "/login"
    assert redirect_path(client.get("/")).startswith("/login")


def test_welcome_link_of_one_shop_logs_nobody_in_at_another(sign_up, shop_client):
    welcome = sign_up().headers["Location"]
    sign_up(shop_name="Globex Garage", subdomain="globex", email="gil@globex.example.com")
    client = shop_client("globex")

    assert redirect_path(client.get(link_path(welcome))) == "/login"
    assert redirect_path(client.get("/")).startswith("/login")


def test_welcome_link_expires_after_five_minutes(sign_up, shop_client, clock_ahead):
    welcome = sign_up().headers["Location"]
    client = shop_client("acme")

    with clock_ahead(6 * 60):
        assert redirect_path(client.get(welcome)) == "/login"


def test_subdomain_is_trimmed_and_lower_cased(sign_up, app):
    response = sign_up(subdomain="  MyShop ")

    assert response.headers["Location"].startswith("http://myshop.workbay.test/welcome/")
    assert [tenant.subdomain for tenant in all_tenants(app)] == ["myshop"]


def test_the_same_email_can_sign_up_a_second_shop(sign_up, app):
    sign_up()
    response = sign_up(shop_name="Acme North", subdomain="acme-north")

    assert response.status_code == 302
    assert [tenant.subdomain for tenant in all_tenants(app)] == ["acme", "acme-north"]


SHAPE = "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit."
RESERVED = "This name is reserved. Please pick another."


INVALID = [
    ({"subdomain": "ab"}, "subdomain", "Use 3 to 40 characters."),
    ({"subdomain": "a" * 41}, "subdomain", "Use 3 to 40 characters."),
    ({"subdomain": "my_shop"}, "subdomain", SHAPE),
    ({"subdomain": "my shop"}, "subdomain", SHAPE),
    ({"subdomain": "acmé"}, "subdomain", SHAPE),
    ({"subdomain": "-acme"}, "subdomain", SHAPE),
    ({"subdomain": "acme-"}, "subdomain", SHAPE),
    ({"subdomain": "ac--me"}, "subdomain", "Hyphens cannot follow each other."),
    ({"subdomain": "admin"}, "subdomain", RESERVED),
    ({"subdomain": "www"}, "subdomain", RESERVED),
    ({"subdomain": "api"}, "subdomain", RESERVED),
    ({"subdomain": "mail"}, "subdomain", RESERVED),
    ({"subdomain": "static"}, "subdomain", RESERVED),
    ({"subdomain": " ADMIN "}, "subdomain", RESERVED),
    ({"accept_policies": None}, "accept_policies", "Please accept the terms and the privacy policy."),
    ({"password": "short", "confirm": "short"}, "password", "Use at least 10 characters."),
    ({"confirm": "a-long-secret-2"}, "confirm", "The two passwords differ."),
    (
        {"password": OWNER_EMAIL, "confirm": OWNER_EMAIL},
        "password",
        "Your password cannot be your e-mail address.",
    ),
    ({"email": "not-an-email"}, "email", "Invalid email address."),
    ({"country": "ZZ"}, "country", "Please choose your country from the list."),
    ({"country": ""}, "country", "Please choose your country from the list."),
    ({"shop_name": "   "}, "shop_name", "This field is required."),
]


def described(changes: dict) -> str:
    return ",".join(
        f"{key}={value!r}" for key, value in changes.items() if key != "confirm" or "password" not in changes
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"), [pytest.param(*case, id=described(case[0])) for case in INVALID]
)
def test_invalid_signup_is_refused_with_a_message_and_creates_nothing(sign_up, app, outbox, changes, field, message):
    response = sign_up(**changes)

    assert response.status_code == 400
    assert invalid_fields(response) == {field}
    assert message in field_errors(response)
    assert all_tenants(app) == []
    assert outbox.messages == []


def test_taken_subdomain_is_refused_and_the_existing_shop_is_untouched(sign_up, factory, app, outbox):
    factory.tenant("acme", name="The First Acme")

    response = sign_up()

    assert response.status_code == 400
    assert "This name is taken. Please pick another." in field_errors(response)
    assert [tenant.name for tenant in all_tenants(app)] == ["The First Acme"]
    assert outbox.messages == []


def test_a_subdomain_taken_between_the_check_and_the_insert_is_refused_under_its_field(
    sign_up, factory, app, outbox, monkeypatch
):
    factory.tenant("acme", name="The First Acme")
    # The form's check ran before the other shop was inserted: only the database can refuse now.
    monkeypatch.setattr("saas.onboarding.forms.subdomain_problem", lambda value: None)

    response = sign_up()

    assert response.status_code == 400
    assert invalid_fields(response) == {"subdomain"}
    assert field_errors(response) == ["This name was just taken. Please pick another."]
    assert [tenant.name for tenant in all_tenants(app)] == ["The First Acme"]
    assert outbox.messages == []


@pytest.mark.parametrize(
    ("typed", "subdomain", "available", "message"),
    [
        ("fresh-shop", "fresh-shop", True, "Available."),
        ("  FreshShop ", "freshshop", True, "Available."),
        ("acme", "acme", False, "This name is taken. Please pick another."),
        ("admin", "admin", False, RESERVED),
        ("ab", "ab", False, "Use 3 to 40 characters."),
        ("my_shop", "my_shop", False, SHAPE),
        ("", "", False, "Use 3 to 40 characters."),
    ],
)
def test_live_subdomain_check_says_whether_a_name_is_available(client, factory, typed, subdomain, available, message):
    factory.tenant("acme")

    response = client.get("/signup/check-subdomain", query_string={"subdomain": typed})

    assert response.status_code == 200
    assert response.get_json() == {"subdomain": subdomain, "available": available, "message": message}
