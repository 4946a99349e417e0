"""Which host answers what: unknown shops get a helpful 404, forged hosts a 400, staff find their shop."""

import pytest

from tests.fixtures.pages import field_errors


@pytest.mark.parametrize("path", ["/", "/login", "/forgot-password", "/customers"])
def test_an_unknown_subdomain_says_there_is_no_shop_at_this_address(shop_client, factory, path):
    factory.tenant("acme")

    response = shop_client("acmee").get(path)

    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "There is no shop at this address" in page
    assert 'href="http://workbay.test/find-shop"' in page


def test_a_nested_subdomain_is_no_shop_either(app, factory):
    factory.tenant("acme")

    response = app.test_client().get("/login", base_url="http://www.acme.workbay.test")

    assert response.status_code == 404
    assert "There is no shop at this address" in response.get_data(as_text=True)


@pytest.mark.parametrize("host", ["evil.example", "workbay.test.evil.example", "evilworkbay.test", "acme.evil.example"])
def test_a_forged_host_is_refused_with_400(client, factory, host):
    factory.tenant("acme")

    response = client.get("/login", headers={"Host": host})

    assert response.status_code == 400
    assert "There is no shop" not in response.get_data(as_text=True)


def test_find_my_shop_leads_to_the_shop_login(client, factory):
    factory.tenant("acme")

    response = client.post("/find-shop", data={"subdomain": " ACME "})

    assert response.status_code == 302
    assert response.headers["Location"] == "http://acme.workbay.test/login"


def test_find_my_shop_says_when_there_is_no_such_shop(client):
    response = client.post("/find-shop", data={"subdomain": "ghost"})

    assert response.status_code == 400
    assert "We could not find a shop at that address." in field_errors(response)
