"""Shop settings: profile, currency, timezone, labor rate, tax rates as percentages, due days."""

from __future__ import annotations

from decimal import Decimal

import pytest

from saas.auth.roles import Role
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.core.tenant import Tenant
from tests.factories import log_in

VALID = {
    "name": "Acme Auto Repair",
    "email": "Hello@Acme.example.com",
    "phone": "+1 555 0100",
    "address": "1 Main Street\nSpringfield",
    "tax_id": "EIN 12-3456789",
    "currency": "EUR",
    "timezone": "Europe/Paris",
    "labor_rate": "95.50",
    "tax_rate_labor": "8.25",
    "tax_rate_parts": "20",
    "tax_rate_fees": "0",
    "invoice_due_days": "30",
}


def stored(app, tenant_id: int) -> Tenant:
    with app.test_request_context(), tenant_scope(tenant_id):
        return db.session.get(Tenant, tenant_id)


def profile(tenant: Tenant) -> dict:
    columns = ("name", "email", "phone", "address", "tax_id", "currency", "timezone", "labor_rate",
               "tax_rate_labor", "tax_rate_parts", "tax_rate_fees", "invoice_due_days")  # fmt: skip
    return {column: getattr(tenant, column) for column in columns}


def test_the_settings_page_shows_the_current_values_and_links_to_staff_and_the_access_log(owner_client):
    page = owner_client.get("/settings").get_data(as_text=True)

    assert "Shop acme" in page
    assert '<option selected value="USD">USD · US Dollar</option>' in page
    assert '<option selected value="UTC">UTC</option>' in page
    assert 'href="/staff"' in page and 'href="/access-log"' in page


def test_the_owner_saves_the_settings_and_rates_are_stored_as_fractions(app, owner_client, shop):
    response = owner_client.post("/settings", data=VALID)

    assert response.status_code == 302
    assert profile(stored(app, shop.id)) == {
        "name": "Acme Auto Repair",
        "email": "hello@acme.example.com",
        "phone": "+1 555 0100",
        "address": "1 Main Street\nSpringfield",
        "tax_id": "EIN 12-3456789",
        "currency": "EUR",
        "timezone": "Europe/Paris",
        "labor_rate": Decimal("95.50"),
        "tax_rate_labor": Decimal("0.08250"),
        "tax_rate_parts": Decimal("0.20000"),
        "tax_rate_fees": Decimal("0"),
        "invoice_due_days": 30,
    }
    page = owner_client.get("/settings").get_data(as_text=True)
    assert "Settings saved" in page
    assert 'value="8.25"' in page and 'value="20"' in page
    assert '<option selected value="EUR">' in page


def test_a_rate_with_three_decimals_is_kept_exactly(app, owner_client, shop):
    owner_client.post("/settings", data={**VALID, "tax_rate_labor": "7.125"})

    assert stored(app, shop.id).tax_rate_labor == Decimal("0.07125")
    assert 'value="7.125"' in owner_client.get("/settings").get_data(as_text=True)


def test_empty_optional_fields_are_stored_as_no_value(app, owner_client, shop):
    owner_client.post("/settings", data={**VALID, "email": "", "phone": "", "tax_id": "", "address": ""})

    tenant = stored(app, shop.id)
    assert (tenant.email, tenant.phone, tenant.tax_id, tenant.address) == (None, None, None, "")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("currency", "XYZ", "Pick a currency from the list."),
        ("currency", "XAU", "Pick a currency from the list."),
        ("timezone", "Mars/Olympus_Mons", "Pick a timezone from the list."),
        ("labor_rate", "-1", "The labor rate is between 0 and 999,999.99."),
        ("labor_rate", "12.345", "Use at most 2 decimals."),
        ("labor_rate", "NaN", "Enter the rate as a number"),
        ("labor_rate", "", "Enter your hourly labor rate."),
        ("tax_rate_labor", "-5", "A tax rate is between 0 and 100 %."),
        ("tax_rate_parts", "101", "A tax rate is between 0 and 100 %."),
        ("tax_rate_fees", "8.1234", "Use at most 3 decimals"),
        ("tax_rate_fees", "Infinity", "Enter a rate as a number"),
        ("tax_rate_fees", "eight", "Not a valid decimal value."),
        ("invoice_due_days", "-1", "Between 0 (due on receipt) and 365 days."),
        ("invoice_due_days", "400", "Between 0 (due on receipt) and 365 days."),
        ("name", "  ", "Your shop needs a name."),
        ("email", "not-an-email", "Enter an e-mail address like shop@example.com."),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message_and_nothing_is_saved(
    app, owner_client, shop, field, value, message
):
    before = profile(stored(app, shop.id))

    response = owner_client.post("/settings", data={**VALID, field: value})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "nothing was saved" in page
    assert profile(stored(app, shop.id)) == before


def test_a_manager_may_change_settings_but_sees_no_access_log_link(app, factory, shop, shop_client):
    manager = factory.user(shop, Role.MANAGER)
    client = shop_client("acme")
    log_in(client, manager.email)

    page = client.get("/settings").get_data(as_text=True)
    assert 'href="/staff"' in page and 'href="/access-log"' not in page
    assert client.post("/settings", data=VALID).status_code == 302
    assert stored(app, shop.id).currency == "EUR"


@pytest.mark.parametrize("role", [Role.SERVICE_ADVISOR, Role.TECHNICIAN])
def test_staff_below_manager_cannot_see_or_change_settings(app, factory, shop, shop_client, role):
    member = factory.user(shop, role)
    client = shop_client("acme")
    log_in(client, member.email)

    assert client.get("/settings").status_code == 403
    assert client.post("/settings", data=VALID).status_code == 403
    assert stored(app, shop.id).currency == "USD"


def test_settings_require_login(shop, shop_client):
    response = shop_client("acme").get("/settings")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_saving_changes_only_the_own_shop(app, factory, owner_client, shop):
    other = factory.tenant("bravo")
    before = profile(stored(app, other.id))

    owner_client.post("/settings", data=VALID)

    assert profile(stored(app, other.id)) == before
    assert stored(app, shop.id).name == "Acme Auto Repair"


def test_the_currency_and_timezone_lists_are_complete_enough(owner_client):
    page = owner_client.get("/settings").get_data(as_text=True)

    for code in ("USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "INR"):
        assert f'value="{code}"' in page
    for zone in ("America/New_York", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney"):
        assert f'value="{zone}"' in page
    assert 'value="EST5EDT"' not in page and 'value="XAU"' not in page
