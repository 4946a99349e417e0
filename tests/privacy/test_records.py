"""The record of processing activities: generated from the declarations and what the shop holds."""

from __future__ import annotations

import csv
import io

from sqlalchemy import text

from saas.core.db import Base
from saas.core.processors import Processor, processors_in_use
from saas.privacy import inventory
from tests.fixtures.shops import update_shop
from tests.privacy.policy_helpers import seed_shop


def held(record: dict, activity: str) -> dict[str, int | None]:
    [item] = [a for a in record["activities"] if a["key"] == activity]
    return {row["label"]: row["records"] for row in item["held"]}


def test_every_shop_table_is_declared_or_explained(tenant_tables):
    """A new table holding a shop's data must say what it holds: add a Holding, or a line to
    OUTSIDE_THE_RECORD, in saas/privacy/inventory.py."""
    declared = {holding.table for holding in inventory.HOLDINGS} | set(inventory.OUTSIDE_THE_RECORD)
    assert sorted(set(tenant_tables) - declared) == [], "declare these tables in saas/privacy/inventory.py"
    assert not {holding.table for holding in inventory.HOLDINGS} & set(inventory.OUTSIDE_THE_RECORD)


def test_every_declaration_names_a_real_table_column_and_activity():
    activities = {item.key for item in inventory.ACTIVITIES}
    for holding in inventory.HOLDINGS:
        table = Base.metadata.tables[holding.table]
        assert holding.activity in activities, holding
        assert holding.categories, holding
        if holding.only_where:
            assert str(table.c[holding.only_where].type) == "BOOLEAN", holding
    assert set(inventory.OUTSIDE_THE_RECORD) <= set(Base.metadata.tables)


def test_the_records_numbers_match_the_seeded_data(app, shop, other_shop, owner_client):
    seed_shop(app, shop, customers=4, marketing=1)
    seed_shop(app, other_shop, customers=7, marketing=7)  # another shop's rows never count
    record = owner_client.get("/settings/privacy/records.json").get_json()

    assert held(record, "customers") == {"Customers": 4, "Vehicles and devices": 4}
    assert held(record, "repairs")["Work orders"] == 4 and held(record, "repairs")["Jobs"] is None
    assert held(record, "invoicing") == {"Invoices and credit notes": 4, "Invoice lines": None, "Payments": 0}
    assert held(record, "documents") == {"Documents and photos": 2, "ID documents (office only)": 1}
    assert held(record, "appointments") == {"Appointments": 4}
    assert held(record, "marketing")["Customers who agreed to marketing"] == 1


def test_the_record_names_the_controller_purposes_bases_recipients_and_measures(app, shop, owner_client):
    update_shop(app, shop.id, email="hello@acme.example", country="FR")
    record = owner_client.get("/settings/privacy/records.json").get_json()
    assert record["format"] == "workbay.record-of-processing"
    assert record["controller"]["name"] == "Shop acme" and record["controller"]["country"] == "France"
    assert record["controller"]["email"] == "hello@acme.example"
    invoicing = next(a for a in record["activities"] if a["key"] == "invoicing")
    assert "Art. 6(1)(c)" in invoicing["legal_basis"] and "10 in France" in invoicing["retention"]
    assert invoicing["recipients"][0] == "Workbay"
    marketing = next(a for a in record["activities"] if a["key"] == "marketing")
    assert "Art. 6(1)(a)" in marketing["legal_basis"]
    documents = next(a for a in record["activities"] if a["key"] == "documents")
    assert "365 days" in documents["retention"]
    assert any("row-level security" in measure for measure in record["security_measures"])
    assert any("users" in note for note in record["notes"])


def test_a_feature_that_answers_the_signal_adds_its_processor_to_the_activities_it_serves(app, shop, owner_client):
    analytics = Processor("analytics", "Stats Co", "Statistics about visits", "EU", activities=("website",))

    def answer(sender, **extra):
        return analytics

    processors_in_use.connect(answer)
    try:
        record = owner_client.get("/settings/privacy/records.json").get_json()
        public = owner_client.get("/privacy/processors").get_data(as_text=True)
        policy = owner_client.get("/privacy/policy").get_data(as_text=True)
    finally:
        processors_in_use.disconnect(answer)
    website = next(a for a in record["activities"] if a["key"] == "website")
    repairs = next(a for a in record["activities"] if a["key"] == "repairs")
    assert "Stats Co" in website["recipients"] and "Stats Co" not in repairs["recipients"]
    assert "Stats Co" in public and "Stats Co" in policy


def test_the_csv_has_a_row_per_kind_of_data_held(app, shop, owner_client):
    seed_shop(app, shop, customers=3, marketing=2)
    response = owner_client.get("/settings/privacy/records.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    by_label = {row["data held"]: row for row in rows}
    assert by_label["Customers"]["records held"] == "3" and by_label["Customers"]["activity"] == "Customer records"
    assert by_label["Customers who agreed to marketing"]["records held"] == "2"
    assert by_label["Jobs"]["records held"] == ""
    empty = [activity for activity in inventory.ACTIVITIES if not inventory.holdings_of(activity.key)]
    assert len(rows) == len(inventory.HOLDINGS) + len(empty)  # an activity holding nothing has a row of its own


def test_the_record_page_shows_the_numbers_in_a_constant_number_of_queries(app, shop, owner_client, count_queries):
    seed_shop(app, shop, customers=2, marketing=1)
    with count_queries() as few:
        page = owner_client.get("/settings/privacy/records").get_data(as_text=True)
    assert "Record of processing activities" in page and "Customers who agreed to marketing" in page
    seed_shop(app, shop, customers=3, marketing=3)
    with count_queries() as many:
        assert owner_client.get("/settings/privacy/records").status_code == 200
    assert few.count == many.count, many.statements


def test_the_public_processor_list_is_each_shops_own(app, shop, other_shop, shop_client, make_app):
    page = shop_client("bravo").get("/privacy/processors").get_data(as_text=True)
    assert "Who handles your data for Shop bravo" in page and "Shop acme" not in page


def test_the_counts_read_only_the_current_shop_even_past_the_orm(app, shop, other_shop, superuser_engine):
    """The counting query names its shop itself (raw tables bypass the ORM's tenant filter): check it does."""
    from saas.core.tenancy import tenant_scope
    from saas.privacy.records import holding_counts

    seed_shop(app, other_shop, customers=5, marketing=5)
    with app.test_request_context(), tenant_scope(shop.id):
        counts = holding_counts()
    assert counts["customers"] == 0 and counts["customers.marketing_consent"] == 0
    with superuser_engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM customers")) == 5
