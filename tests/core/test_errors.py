"""Error pages: friendly HTML for people, JSON for API clients, never a bare traceback."""

import pytest
from flask import abort


def test_unknown_page_on_public_site_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"We could not find that page" in response.data


def test_api_clients_get_json_errors(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["status"] == 404


def test_unknown_shop_subdomain_shows_no_shop_here_page(shop_client):
    response = shop_client("ghost-garage").get("/")
    assert response.status_code == 404
    assert b"There is no shop at this address" in response.data


def test_forged_host_header_is_refused_with_400(client):
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400


@pytest.fixture
def app_with_broken_routes(make_app):
    app = make_app()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise RuntimeError("a bug")

    @app.route("/forbidden")
    def forbidden():
        abort(403)

    return app


def test_a_bug_shows_a_calm_500_page(app_with_broken_routes):
    response = app_with_broken_routes.test_client().get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.data
    assert b"RuntimeError" not in response.data


def test_forbidden_shows_403_page(app_with_broken_routes):
    response = app_with_broken_routes.test_client().get("/forbidden")
    assert response.status_code == 403
    assert b"You do not have access to this" in response.data


def test_an_id_too_large_for_the_database_is_a_plain_404(owner_client):
    for path in ("/customers/99999999999999999999", "/work-orders/9223372036854775808", "/invoices/1" + "0" * 30):
        assert owner_client.get(path).status_code == 404
