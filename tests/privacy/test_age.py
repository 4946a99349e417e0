"""Age rules: the age for one's own consent per country, what a shop may ask, and online booking."""

from __future__ import annotations

from datetime import timedelta

import pytest

from saas.privacy import age
from tests.appointments.helpers import add_service, appointments_of, booking_form, local, set_hours, shop_today
from tests.fixtures.shops import update_shop
from tests.privacy.policy_helpers import save_settings


@pytest.mark.parametrize(
    ("country", "years"),
    [
        ("DE", 16),  # the GDPR's own age
        ("IE", 16),
        ("NL", 16),
        ("FR", 15),
        ("CZ", 15),
        ("AT", 14),
        ("ES", 14),
        ("IT", 14),
        ("BE", 13),
        ("DK", 13),
        ("SE", 13),
        ("GB", 13),  # UK GDPR
        ("US", 13),  # COPPA
        ("gb", 13),  # case does not matter
        ("BR", 16),  # not in the table: the cautious default
        (None, 16),
        ("", 16),
    ],
)
def test_the_age_for_ones_own_consent_by_country(country, years):
    assert age.legal_consent_age(country) == years


def test_every_age_in_the_table_is_one_article_8_allows():
    assert all(
        age.LOWEST_CONSENT_AGE <= years <= age.DEFAULT_CONSENT_AGE for years in age.CONSENT_AGE_BY_COUNTRY.values()
    )
    assert all(len(code) == 2 and code.isupper() for code in age.CONSENT_AGE_BY_COUNTRY)


def test_a_shop_may_ask_more_than_its_countrys_age_never_less():
    assert age.marketing_consent_age("GB") == 13
    assert age.marketing_consent_age("GB", 16) == 16
    assert age.marketing_consent_age("DE", 13) == 16  # below the law: the law wins
    assert age.marketing_consent_age("DE", 40) == 18
    assert list(age.allowed_marketing_ages("FR")) == [15, 16, 17, 18]


def test_the_settings_page_refuses_an_age_below_the_countrys(app, shop, owner_client):
    update_shop(app, shop.id, country="DE")
    page = owner_client.get("/settings/privacy").get_data(as_text=True)
    assert "The age for consent in Germany: 16" in page and '<option value="13">' not in page
    response = save_settings(owner_client, expect=400, marketing_minimum_age="14")
    assert "Not a valid choice." in response.get_data(as_text=True)


def test_the_shop_policy_states_the_marketing_age_of_its_country_or_its_own_choice(app, shop, owner_client):
    update_shop(app, shop.id, country="FR")
    assert "at least 15 years old" in owner_client.get("/privacy/policy").get_data(as_text=True)
    save_settings(owner_client, marketing_minimum_age="17")
    assert "at least 17 years old" in owner_client.get("/privacy/policy").get_data(as_text=True)


# --- online booking -------------------------------------------------------------------------


@pytest.fixture
def bookable(app, shop):
    set_hours(app, shop)
    return add_service(app, shop, "Oil change", 60)


def tomorrow_at(hour: str):
    return local("UTC", shop_today() + timedelta(days=1), hour)


def test_booking_asks_no_age_by_default(app, shop, bookable, shop_client):
    visitor = shop_client("acme")
    page = visitor.get(f"/book?service={bookable.id}").get_data(as_text=True)
    assert "years old" not in page and "/privacy/policy" in page  # the consent links the shop's own policy
    assert visitor.post("/book", data=booking_form(bookable, tomorrow_at("10:00"))).status_code == 302


def test_where_the_shop_asks_booking_needs_the_age_confirmed(app, shop, bookable, owner_client, shop_client):
    save_settings(owner_client, booking_age_check="y", booking_minimum_age="18")
    visitor = shop_client("acme")
    page = visitor.get(f"/book?service={bookable.id}").get_data(as_text=True)
    assert "I am at least 18 years old." in page

    refused = visitor.post("/book", data=booking_form(bookable, tomorrow_at("10:00")))
    assert refused.status_code == 400
    assert "Please confirm that you are at least 18 years old." in refused.get_data(as_text=True)
    assert appointments_of(app, shop) == []

    booked = visitor.post("/book", data=booking_form(bookable, tomorrow_at("10:00"), age_confirmed="y"))
    assert booked.status_code == 302 and len(appointments_of(app, shop)) == 1


def test_one_shops_age_rule_does_not_reach_another_shop(app, shop, other_shop, bookable, owner_client, shop_client):
    save_settings(owner_client, booking_age_check="y", booking_minimum_age="21")
    set_hours(app, other_shop)
    bravo_service = add_service(app, other_shop, "Tyres", 60)
    page = shop_client("bravo").get(f"/book?service={bravo_service.id}").get_data(as_text=True)
    assert "years old" not in page
    response = shop_client("bravo").post("/book", data=booking_form(bravo_service, tomorrow_at("11:00")))
    assert response.status_code == 302
