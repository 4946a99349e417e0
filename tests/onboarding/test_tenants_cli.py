"""`flask tenants create|list`: shops made from the command line, with their owner."""

import pytest

from tests.fixtures.shops import user_by_email
from tests.onboarding.helpers import all_tenants, tenant_at

OWNER_PASSWORD = "cli-owner-password"


def create_args(subdomain: str = "acme", **options: str) -> list[str]:
    values = {
        "--name": "Acme Repairs",
        "--subdomain": subdomain,
        "--owner-email": "olivia@acme.example.com",
        "--owner-name": "Olivia Owner",
        "--owner-password": OWNER_PASSWORD,
        **options,
    }
    return ["tenants", "create", *[part for pair in values.items() for part in pair]]


def test_create_makes_a_shop_in_trial_with_its_owner(flask_cli, app, shop_client):
    result = flask_cli(*create_args())

    assert result.exit_code == 0, result.output
    assert "Created shop 'Acme Repairs' at subdomain 'acme'" in result.output
    tenant = tenant_at(app, "acme")
    assert (tenant.name, tenant.status, tenant.country) == ("Acme Repairs", "trialing", "US")
    owner = user_by_email(app, tenant.id, "olivia@acme.example.com")
    assert (owner.name, owner.role) == ("Olivia Owner", "owner")
    login = shop_client("acme").post("/login", data={"email": owner.email, "password": OWNER_PASSWORD})
    assert login.status_code == 302


def test_create_normalizes_the_subdomain_and_takes_a_country(flask_cli, app):
    result = flask_cli(*create_args(" ACME ", **{"--country": "de"}))

    assert result.exit_code == 0, result.output
    assert [(tenant.subdomain, tenant.country) for tenant in all_tenants(app)] == [("acme", "DE")]


def test_create_asks_for_the_password_when_it_is_left_out(flask_cli, app):
    args = create_args()
    del args[args.index("--owner-password") : args.index("--owner-password") + 2]

    result = flask_cli(*args, input=f"{OWNER_PASSWORD}\n{OWNER_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert tenant_at(app, "acme") is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (create_args("admin"), "This name is reserved. Please pick another."),
        (create_args("www"), "This name is reserved. Please pick another."),
        (create_args("a"), "Use 3 to 40 characters."),
        (create_args("my_shop"), "Use lowercase letters, digits and hyphens only"),
        (create_args(**{"--owner-password": "short"}), "Use at least 10 characters."),
        (create_args(**{"--country": "ZZ"}), "unknown country code 'ZZ'"),
    ],
    ids=["reserved admin", "reserved www", "too short", "bad characters", "weak password", "unknown country"],
)
def test_create_refuses_bad_input_with_a_message_and_creates_nothing(flask_cli, app, args, message):
    result = flask_cli(*args)

    assert result.exit_code != 0
    assert message in result.output
    assert all_tenants(app) == []


def test_create_refuses_a_taken_subdomain(flask_cli, factory, app):
    factory.tenant("acme", name="The First Acme")

    result = flask_cli(*create_args())

    assert result.exit_code != 0
    assert "This name is taken. Please pick another." in result.output
    assert [tenant.name for tenant in all_tenants(app)] == ["The First Acme"]


def test_create_refuses_an_owner_email_nobody_could_log_in_with(flask_cli, app):
    result = flask_cli(*create_args(**{"--owner-email": "olivia-at-acme"}))

    assert result.exit_code != 0
    assert all_tenants(app) == []


def test_list_says_when_there_are_no_shops(flask_cli):
    result = flask_cli("tenants", "list")

    assert result.exit_code == 0
    assert result.output.strip() == "No shops yet."


def test_list_prints_every_shop_with_status_and_trial_end(flask_cli, app):
    flask_cli(*create_args())
    flask_cli(*create_args("globex", **{"--name": "Globex Garage", "--owner-email": "gil@globex.example.com"}))

    result = flask_cli("tenants", "list")

    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    for line, tenant in zip(lines, all_tenants(app), strict=True):
        trial_end = f"{tenant.trial_ends_at:%Y-%m-%d}"
        assert " ".join(line.split()) == f"{tenant.id} {tenant.subdomain} trialing {tenant.name} trial ends {trial_end}"
    assert "acme" in lines[0] and "globex" in lines[1]
