"""The outbox page holds every mail the app sent (reset and invitation links): it answers only in
development or tests, only with the outbox backend, and only to a request from this machine."""

from __future__ import annotations

import pytest


@pytest.fixture
def mailed_reset(owner, shop_client):
    """A password reset mail for acme's owner, in the outbox."""
    shop_client("acme").post("/forgot-password", data={"email": owner.email})
    return owner


def test_the_outbox_shows_the_mail_to_this_machine_never_cached_or_referred(client, mailed_reset):
    response = client.get("/outbox")

    assert response.status_code == 200
    assert mailed_reset.email in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("address", ["203.0.113.9", "10.0.0.7", "192.168.1.20", "2001:db8::1"])
def test_the_outbox_is_not_found_from_any_other_address(client, mailed_reset, address):
    response = client.get("/outbox", environ_base={"REMOTE_ADDR": address})

    assert response.status_code == 404
    assert mailed_reset.email not in response.get_data(as_text=True)


def test_behind_a_proxy_on_this_machine_the_outbox_answers_only_the_clients_own_address(make_app):
    app = make_app(TRUSTED_PROXY_HOPS=1)
    client = app.test_client()

    remote = client.get("/outbox", headers={"X-Forwarded-For": "203.0.113.9"})
    local = client.get("/outbox", headers={"X-Forwarded-For": "127.0.0.1"})

    assert (remote.status_code, local.status_code) == (404, 200)


def test_the_outbox_is_not_found_outside_development_even_with_the_outbox_backend(make_app):
    app = make_app(MAIL_BACKEND="outbox")
    app.config["ENV_NAME"] = "production"  # ProductionConfig refuses the outbox; this is the page's own guard

    assert app.test_client().get("/outbox").status_code == 404


def test_the_outbox_is_not_found_when_mail_really_goes_out(make_app):
    assert make_app(MAIL_BACKEND="smtp").test_client().get("/outbox").status_code == 404
