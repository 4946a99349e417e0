"""Each shop's consent is its own: a choice made on alpha means nothing on bravo or on the public site (by
cookie jar, by a copied cookie value), each shop's records and analytics are its own, and alpha's owner
reaches nothing of bravo's."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from saas.consent.categories import CONSENT_COOKIE
from tests.consent.helpers import (
    analytics_scripts,
    banner_open,
    choose,
    consent_cookie,
    consent_rows,
    set_analytics,
    set_cookie_headers,
)
from tests.factories import log_in
from tests.fixtures.database import rows_by_tenant, shop_session

ALPHA, BRAVO, APEX = "alpha.workbay.test", "bravo.workbay.test", "workbay.test"


@pytest.fixture
def two_shops(app, factory):
    """alpha and bravo, both running analytics."""
    shops = {name: factory.tenant(name) for name in ("alpha", "bravo")}
    for shop in shops.values():
        set_analytics(app, shop.id)
    return shops


def html(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def test_one_browser_choosing_on_alpha_is_still_asked_on_bravo_and_on_the_public_site(app, two_shops):
    browser = app.test_client()  # one cookie jar for every host, as a real browser
    response = browser.post(
        f"http://{ALPHA}/consent", data={"choice": "accept_all", "source": "banner", "next": "/book"}
    )

    assert "Domain=" not in set_cookie_headers(response, CONSENT_COOKIE)[0]
    assert consent_cookie(browser, ALPHA) is not None and consent_cookie(browser, BRAVO) is None
    assert len(analytics_scripts(html(browser, f"http://{ALPHA}/book"))) == 3
    bravo = html(browser, f"http://{BRAVO}/book")
    assert banner_open(bravo) and analytics_scripts(bravo) == []
    assert consent_cookie(browser, APEX) is None and banner_open(html(browser, f"http://{APEX}/"))


def test_a_cookie_value_copied_from_alpha_means_nothing_on_bravo_or_the_public_site(
    app, two_shops, shop_client, client
):
    alpha = shop_client("alpha")
    choose(alpha, "accept_all")
    copied = consent_cookie(alpha, ALPHA).value
    bravo = shop_client("bravo")
    bravo.set_cookie(CONSENT_COOKIE, copied, domain=BRAVO)
    client.set_cookie(CONSENT_COOKIE, copied, domain=APEX)

    on_bravo, on_apex = html(bravo, "/book"), html(client, "/")

    assert banner_open(on_bravo) and analytics_scripts(on_bravo) == []
    assert banner_open(on_apex)


def test_a_choice_on_bravo_with_alphas_cookie_starts_a_new_consent_id(two_shops, shop_client, superuser_engine):
    alpha = shop_client("alpha")
    choose(alpha, "accept_all")
    bravo = shop_client("bravo")
    bravo.set_cookie(CONSENT_COOKIE, consent_cookie(alpha, ALPHA).value, domain=BRAVO)

    choose(bravo, "reject_all")

    [on_alpha] = consent_rows(superuser_engine, tenant_id=two_shops["alpha"].id)
    [on_bravo] = consent_rows(superuser_engine, tenant_id=two_shops["bravo"].id)
    assert on_alpha["consent_id"] != on_bravo["consent_id"]
    assert (on_alpha["categories"], on_bravo["categories"]) == (["analytics", "marketing", "preferences"], [])


def test_records_are_rows_of_their_shop_only(app, two_shops, shop_client, superuser_engine):
    choose(shop_client("alpha"), "accept_all")
    choose(shop_client("bravo"), "reject_all")
    choose(shop_client("bravo"), "reject_all")

    with superuser_engine.connect() as conn:
        assert rows_by_tenant(conn, "cookie_consents") == {two_shops["alpha"].id: 1, two_shops["bravo"].id: 2}
    with shop_session(app, two_shops["alpha"].id) as session:
        assert session.scalar(text("SELECT count(*) FROM cookie_consents")) == 1
        assert session.scalar(text("SELECT count(*) FROM platform_cookie_consents")) == 0
    with shop_session(app, None) as session:
        assert session.scalar(text("SELECT count(*) FROM cookie_consents")) == 0


def test_alphas_owner_sees_and_exports_only_alphas_records(app, two_shops, shop_client, login_as, factory):
    choose(shop_client("alpha"), "accept_all", headers={"User-Agent": "AlphaVisitor/1"})
    choose(shop_client("bravo"), "reject_all", headers={"User-Agent": "BravoVisitor/1"})
    owner = login_as(factory.owner(two_shops["alpha"]), "alpha")

    listing = html(owner, "/settings/cookies/records")
    export = owner.get("/settings/cookies/records.csv").get_data(as_text=True)

    assert "AlphaVisitor" in listing and "BravoVisitor" not in listing
    assert "AlphaVisitor" in export and "BravoVisitor" not in export


def test_alphas_owner_reaches_nothing_of_bravo_and_changes_nothing(app, two_shops, factory, shop_client):
    choose(shop_client("bravo"), "reject_all")
    alpha_owner = factory.owner(two_shops["alpha"])
    alpha = shop_client("alpha")
    log_in(alpha, alpha_owner.email)

    for path in ("/settings/cookies", "/settings/cookies/records", "/settings/cookies/records.csv"):
        response = alpha.get(f"http://{BRAVO}{path}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = alpha.post(f"http://{BRAVO}/settings/cookies", data={"plausible_domain": "planted.example"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with shop_session(app, two_shops["bravo"].id) as session:
        assert session.scalar(text("SELECT plausible_domain FROM shop_analytics_settings")) != "planted.example"


def test_each_shop_renders_its_own_analytics(app, two_shops, shop_client):
    set_analytics(app, two_shops["bravo"].id, plausible="bravo-garage.example", ga4=None)
    alpha, bravo = shop_client("alpha"), shop_client("bravo")
    choose(alpha, "accept_all")
    choose(bravo, "accept_all")

    on_alpha, on_bravo = html(alpha, "/book"), html(bravo, "/book")

    assert "bravo-garage.example" not in on_alpha and "bravo-garage.example" in on_bravo
    assert "G-TEST1234" in on_alpha and "G-TEST1234" not in on_bravo
