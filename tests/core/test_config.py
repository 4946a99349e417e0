"""Production refuses to start without the settings it cannot guess, or with ones that leave it open, and
names them; a machine that looks like a deployment never falls back to the development defaults."""

import pytest
from flask import request

from config import DEVELOPMENT_SECRET_KEY, ConfigError, load_config
from saas import create_app

SETTINGS_READ = (
    "SECRET_KEY",
    "DATABASE_URL",
    "MIGRATIONS_DATABASE_URL",
    "PLATFORM_DATABASE_URL",
    "SERVER_NAME",
    "FIELD_ENCRYPTION_KEYS",
    "MAIL_BACKEND",
    "WORKBAY_ENV",
    "PREFERRED_URL_SCHEME",
    "SESSION_COOKIE_SECURE",
    "HSTS_SECONDS",
)
# Everything production needs, as a deployment would set it.
PRODUCTION = {
    "SECRET_KEY": "Xw2S8b0yQk1rZt4mN6pV9cL3hJ5fD7gA",
    "DATABASE_URL": "postgresql+psycopg://workbay_app@db/workbay",
    "PLATFORM_DATABASE_URL": "postgresql+psycopg://workbay_platform@db/workbay",
    "SERVER_NAME": "workbay.example",
    "FIELD_ENCRYPTION_KEYS": "a-key-read-lazily",
}


@pytest.fixture
def clean_env(monkeypatch):
    for name in SETTINGS_READ:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def set_env(monkeypatch, **settings) -> None:
    for name, value in settings.items():
        monkeypatch.setenv(name, value)


def test_production_names_every_missing_setting(clean_env):
    with pytest.raises(ConfigError) as error:
        create_app("production")
    message = str(error.value)
    assert "SECRET_KEY" in message and "DATABASE_URL" in message and "SERVER_NAME" in message


def test_production_names_only_what_is_missing(clean_env):
    clean_env.setenv("SECRET_KEY", "s3cret")
    clean_env.setenv("DATABASE_URL", "postgresql+psycopg://app@db/workbay")
    with pytest.raises(ConfigError, match="SERVER_NAME") as error:
        load_config("production")
    assert "SECRET_KEY" not in str(error.value)


def test_production_with_settings_uses_secure_cookies_hsts_and_trusts_only_its_domain(clean_env):
    set_env(clean_env, **PRODUCTION)
    settings = load_config("production")
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_DOMAIN"] is None
    assert settings["TRUSTED_HOSTS"] == ["workbay.example", ".workbay.example"]
    assert settings["PREFERRED_URL_SCHEME"] == "https"
    assert settings["HSTS_SECONDS"] == 365 * 24 * 3600


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("SECRET_KEY", DEVELOPMENT_SECRET_KEY, "SECRET_KEY is the development key"),
        ("SECRET_KEY", "s3cret", "SECRET_KEY is shorter than 32 characters"),
        ("MAIL_BACKEND", "outbox", "MAIL_BACKEND=outbox is for development only"),
        ("PREFERRED_URL_SCHEME", "http", "PREFERRED_URL_SCHEME must be https"),
        ("SESSION_COOKIE_SECURE", "off", "SESSION_COOKIE_SECURE must stay on"),
        ("HSTS_SECONDS", "0", "HSTS_SECONDS must be positive"),
    ],
)
def test_production_refuses_a_setting_that_leaves_it_open(clean_env, setting, value, named):
    set_env(clean_env, **{**PRODUCTION, setting: value})
    with pytest.raises(ConfigError, match=named):
        create_app("production")


def test_production_names_every_unsafe_setting_at_once_and_never_the_secret(clean_env):
    set_env(clean_env, **{**PRODUCTION, "SECRET_KEY": "tiny-secret", "MAIL_BACKEND": "outbox"})
    with pytest.raises(ConfigError) as error:
        load_config("production")
    assert "SECRET_KEY is shorter" in str(error.value) and "MAIL_BACKEND=outbox" in str(error.value)
    assert "tiny-secret" not in str(error.value)


# --- development, never by mistake ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("DATABASE_URL", "postgresql+psycopg://workbay_app:pw@db.internal:5432/workbay"),
        ("DATABASE_URL", "postgresql+psycopg://workbay_app:pw@/workbay?host=db.internal"),
        ("PLATFORM_DATABASE_URL", "postgresql+psycopg://workbay_platform:pw@10.0.0.5/workbay"),
        ("SERVER_NAME", "workbay.example"),
    ],
)
def test_without_workbay_env_a_deployment_looking_machine_refuses_to_start(clean_env, setting, value):
    clean_env.setenv(setting, value)
    with pytest.raises(ConfigError, match="WORKBAY_ENV is not set") as error:
        create_app()
    assert setting in str(error.value) and "WORKBAY_ENV=production" in str(error.value)
    assert ":pw@" not in str(error.value)  # a password in the URL is never repeated


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("DATABASE_URL", "postgresql+psycopg://workbay_app:workbay-dev@/workbay?host=%2Fwork%2Finstance%2Fpgdata"),
        ("DATABASE_URL", "postgresql+psycopg://workbay_app:workbay-dev@localhost:5432/workbay"),
        ("DATABASE_URL", "postgresql+psycopg://workbay_app:workbay-dev@127.0.0.1:5432/workbay"),
        ("SERVER_NAME", "localhost:5001"),
        ("SERVER_NAME", "127.0.0.1:5000"),
    ],
)
def test_without_workbay_env_this_machines_settings_are_development(clean_env, setting, value):
    clean_env.setenv(setting, value)
    assert load_config()["ENV_NAME"] == "development"


def test_development_against_a_remote_database_is_a_choice_made_out_loud(clean_env):
    set_env(clean_env, DATABASE_URL="postgresql+psycopg://me@db.internal/workbay", WORKBAY_ENV="development")
    assert load_config()["ENV_NAME"] == "development"


def test_unknown_environment_is_refused(clean_env):
    with pytest.raises(ConfigError, match="staging"):
        load_config("staging")


def test_development_needs_no_settings(clean_env):
    settings = load_config("development")
    assert settings["MAIL_BACKEND"] == "outbox"
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://workbay_app")


def client_address_seen_by(app, forwarded_for: str) -> str:
    @app.route("/whoami")
    def whoami():
        return request.remote_addr

    return app.test_client().get("/whoami", headers={"X-Forwarded-For": forwarded_for}).get_data(as_text=True)


def test_behind_a_trusted_proxy_the_client_address_comes_from_x_forwarded_for(make_app):
    assert client_address_seen_by(make_app(TRUSTED_PROXY_HOPS=1), "203.0.113.9") == "203.0.113.9"


def test_without_a_trusted_proxy_a_forged_x_forwarded_for_is_ignored(make_app):
    assert client_address_seen_by(make_app(), "203.0.113.9") == "127.0.0.1"
