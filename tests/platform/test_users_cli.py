"""`flask users create-admin`: platform admins are made from the command line, once per address."""

import pytest
from sqlalchemy import select

from saas.core.extensions import db
from saas.platform.models import PlatformAdmin

ADMIN_PASSWORD = "platform-admin-pass"


def create_admin(flask_cli, email: str = "ops@workbay.example.com", password: str = ADMIN_PASSWORD):
    return flask_cli("users", "create-admin", "--email", email, "--name", "Ops Person", "--password", password)


def admin_emails(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(PlatformAdmin.email).order_by(PlatformAdmin.id)))


def test_create_admin_makes_an_admin_who_can_log_in_at_the_console(flask_cli, app, admin_client):
    result = create_admin(flask_cli, "Ops@Workbay.example.com")

    assert result.exit_code == 0, result.output
    assert "Platform admin Ops@Workbay.example.com created." in result.output
    assert admin_emails(app) == ["ops@workbay.example.com"]
    login = admin_client.post("/login", data={"email": "ops@workbay.example.com", "password": ADMIN_PASSWORD})
    assert login.status_code == 302


def test_create_admin_asks_for_the_password_when_it_is_left_out(flask_cli, app):
    result = flask_cli(
        "users", "create-admin", "--email", "ops@workbay.example.com", input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n"
    )

    assert result.exit_code == 0, result.output
    assert admin_emails(app) == ["ops@workbay.example.com"]


@pytest.mark.parametrize("again", ["ops@workbay.example.com", "  OPS@workbay.example.com "])
def test_create_admin_refuses_an_address_that_is_already_an_admin(flask_cli, app, again):
    create_admin(flask_cli)

    result = create_admin(flask_cli, again, "another-password-1")

    assert result.exit_code != 0
    assert "is already a platform admin" in result.output
    assert admin_emails(app) == ["ops@workbay.example.com"]


def test_create_admin_refuses_a_weak_password(flask_cli, app):
    result = create_admin(flask_cli, password="short")

    assert result.exit_code != 0
    assert "Use at least 10 characters." in result.output
    assert admin_emails(app) == []


def test_create_admin_refuses_an_email_nobody_could_log_in_with(flask_cli, app):
    result = create_admin(flask_cli, "ops-at-workbay")

    assert result.exit_code != 0
    assert admin_emails(app) == []
