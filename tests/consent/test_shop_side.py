"""The shop's side: analytics settings (checked formats), the settings page's link, the consent records
with counts per choice and a CSV export, both logged; who may see what."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from saas.audit.models import AccessLogEntry
from saas.auth.roles import Role
from saas.consent.analytics import shop_settings
from tests.consent.helpers import BROWSER, choose, set_analytics
from tests.fixtures.database import shop_session
from tests.fixtures.pages import field_errors, flashes, redirect_path


def saved_settings(app, tenant_id: int):
    with shop_session(app, tenant_id):
        row = shop_settings()
        return None if row is None else (row.plausible_domain, row.ga4_measurement_id)


def access_log(app, tenant_id: int) -> list[tuple[str, str, str]]:
    with shop_session(app, tenant_id) as session:
        entries = session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)).all()
        return [(entry.action, entry.subject_type, entry.description) for entry in entries]


def test_the_settings_page_links_to_cookies_and_analytics(owner_client):
    page = owner_client.get("/settings").get_data(as_text=True)

    assert "Cookies and analytics" in page and 'href="/settings/cookies"' in page
    assert 'href="/settings/cookies/records"' in page


def test_the_owner_sets_analytics_normalized(app, shop, owner_client):
    response = owner_client.post(
        "/settings/cookies",
        data={"plausible_domain": " https://Acme-Repairs.example/ ", "ga4_measurement_id": "g-abc12345"},
    )

    assert response.status_code == 302 and redirect_path(response) == "/settings/cookies"
    assert saved_settings(app, shop.id) == ("acme-repairs.example", "G-ABC12345")
    shown = owner_client.get("/settings/cookies")
    assert flashes(shown)[-1].startswith("Analytics saved.")
    assert 'value="acme-repairs.example"' in shown.get_data(as_text=True)
    assert (
        owner_client.post("/settings/cookies", data={"plausible_domain": "", "ga4_measurement_id": ""}).status_code
        == 302
    )
    assert saved_settings(app, shop.id) == (None, None)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"plausible_domain": "not a domain", "ga4_measurement_id": ""},
            "Enter the site's domain as Plausible knows it",
        ),
        ({"plausible_domain": "acme.example/path", "ga4_measurement_id": ""}, "Enter the site's domain"),
        (
            {"plausible_domain": "", "ga4_measurement_id": "UA-12345-1"},
            "A Google Analytics 4 measurement ID looks like",
        ),
        (
            {"plausible_domain": "", "ga4_measurement_id": "G-<script>"},
            "A Google Analytics 4 measurement ID looks like",
        ),
        ({"plausible_domain": "x" * 300, "ga4_measurement_id": ""}, "Field cannot be longer than 253 characters."),
    ],
)
def test_bad_analytics_settings_are_refused_under_their_field_and_nothing_is_saved(
    app, shop, owner_client, data, error
):
    response = owner_client.post("/settings/cookies", data=data)

    assert response.status_code == 400
    assert any(message.startswith(error) for message in field_errors(response)), field_errors(response)
    assert saved_settings(app, shop.id) is None


@pytest.mark.parametrize(("role", "settings", "records"), [(Role.MANAGER, 200, 403), (Role.TECHNICIAN, 403, 403)])
def test_who_may_see_what(factory, shop, login_as, role, settings, records):
    client = login_as(factory.user(shop, role))

    assert client.get("/settings/cookies").status_code == settings
    assert client.get("/settings/cookies/records").status_code == records
    assert client.get("/settings/cookies/records.csv").status_code == records


def test_visitors_must_log_in_to_see_the_shops_side(shop, shop_client):
    visitor = shop_client("acme")

    for path in ("/settings/cookies", "/settings/cookies/records", "/settings/cookies/records.csv"):
        response = visitor.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_records_show_counts_per_choice_and_their_opening_is_logged(app, shop, shop_client, owner_client):
    for choice, categories in (("accept_all", ()), ("accept_all", ()), ("reject_all", ()), ("save", ["analytics"])):
        choose(shop_client("acme"), choice, categories, source="banner" if choice != "save" else "settings")

    page = owner_client.get("/settings/cookies/records").get_data(as_text=True)

    assert 'Consent records <span class="muted">(4)</span>' in page
    assert "<span>All categories</span><strong>2</strong>" in page
    assert "<span>Necessary only</span><strong>1</strong>" in page
    assert "<span>Analytics</span><strong>1</strong>" in page
    assert BROWSER[:30] in page and "Settings" in page
    assert access_log(app, shop.id) == [("view", "cookie consents", "Opened the cookie consent records (page 1)")]


def test_an_empty_record_list_says_what_will_appear(owner_client):
    page = owner_client.get("/settings/cookies/records").get_data(as_text=True)

    assert "No cookie choices yet." in page and "Download CSV" not in page


def test_the_csv_export_holds_every_record_defuses_formulas_and_is_logged(app, shop, shop_client, owner_client):
    choose(shop_client("acme"), "reject_all")
    choose(shop_client("acme"), "accept_all", headers={"User-Agent": '=HYPERLINK("http://evil")'})

    response = owner_client.get("/settings/cookies/records.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="cookie-consents-acme.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["choice"] for row in rows] == ["Necessary only", "All categories"]
    assert rows[1]["categories"] == "analytics marketing preferences" and rows[1]["source"] == "banner"
    assert rows[1]["user_agent"].startswith("'=HYPERLINK") and len(rows[0]["ip_hash"]) == 64
    assert access_log(app, shop.id) == [("export", "cookie consents", "Downloaded the cookie consent records as CSV")]


def test_the_records_page_runs_a_constant_number_of_queries(shop, shop_client, owner_client, count_queries):
    choose(shop_client("acme"), "reject_all")
    owner_client.get("/settings/cookies/records")
    with count_queries() as few:
        owner_client.get("/settings/cookies/records")
    for index in range(12):
        choose(shop_client("acme"), ("accept_all", "reject_all", "save")[index % 3], ["preferences"] * (index % 2))
    with count_queries() as many:
        owner_client.get("/settings/cookies/records")

    assert few.count == many.count, many.statements


def test_the_records_are_paginated(shop, shop_client, owner_client, monkeypatch):
    monkeypatch.setattr("saas.consent.views.PER_PAGE", 2)
    for _ in range(3):
        choose(shop_client("acme"), "reject_all")

    first = owner_client.get("/settings/cookies/records").get_data(as_text=True)
    second = owner_client.get("/settings/cookies/records?page=2").get_data(as_text=True)

    assert "Page 1 of 2" in first and first.count("<tr>") == 3  # header and two rows
    assert second.count("<tr>") == 2
    assert owner_client.get("/settings/cookies/records?page=99").status_code == 200


def test_the_shops_analytics_are_named_among_its_processors_only_once_configured(app, shop, shop_client):
    visitor = shop_client("acme")
    assert "Google Analytics" not in visitor.get("/privacy/processors").get_data(as_text=True)

    set_analytics(app, shop.id, plausible=None)

    page = visitor.get("/privacy/processors").get_data(as_text=True)
    assert "Google Analytics 4 (Google Ireland Ltd. (and Google LLC, USA))" in page
    assert "Plausible" not in page
