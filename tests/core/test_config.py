"""Production refuses to start without the settings it cannot guess, and names them."""

import pytest
from flask import request

from config import ConfigError, load_config
from saas import create_app


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "SERVER_NAME", "MAIL_BACKEND", "WORKBAY_ENV"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


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


def test_production_with_settings_uses_secure_cookies_and_trusts_only_its_domain(clean_env):
    clean_env.setenv("SECRET_KEY", "s3cret")
    clean_env.setenv("DATABASE_URL", "postgresql+psycopg://app@db/workbay")
    clean_env.setenv("SERVER_NAME", "workbay.example")
    settings = load_config("production")
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_DOMAIN"] is None
    assert settings["TRUSTED_HOSTS"] == ["workbay.example", ".workbay.example"]
    assert settings["PREFERRED_URL_SCHEME"] == "https"


def test_production_refuses_the_development_outbox(clean_env):
    for name, value in {
        "SECRET_KEY": "s",
        "DATABASE_URL": "postgresql://x",
        "SERVER_NAME": "w.example",
        "MAIL_BACKEND": "outbox",
    }.items():
        clean_env.setenv(name, value)
    with pytest.raises(ConfigError, match="outbox"):
        load_config("production")


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
