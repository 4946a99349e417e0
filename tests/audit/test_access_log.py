"""The access log: opening or exporting a customer's record is logged; only the owner reads the log."""

import pytest

from saas.auth.roles import Role
from tests.factories import log_in

BROWSER = "Mozilla/5.0 (Workbay test browser)"


def test_opening_a_customers_record_logs_who_from_where_and_with_what(owner_client, factory, shop, entries):
    customer = factory.customer(shop)
    owner = factory.owner(shop)
    owner_client.get(
        f"/customers/{customer.id}", environ_base={"REMOTE_ADDR": "203.0.113.9"}, headers={"User-Agent": BROWSER}
    )
    [entry] = entries(shop.id)
    assert entry == {
        "action": "view",
        "subject_type": "customer",
        "subject_id": customer.id,
        "user_id": owner.id,
        "ip_address": "203.0.113.9",
        "user_agent": BROWSER,
        "description": "Opened the customer's record",
    }


def test_every_staff_members_view_is_logged_technicians_too(factory, shop, shop_client, entries):
    customer = factory.customer(shop)
    tech = factory.user(shop, Role.TECHNICIAN)
    client = shop_client("acme")
    log_in(client, tech.email)
    client.get(f"/customers/{customer.id}")
    assert [(e["action"], e["user_id"]) for e in entries(shop.id)] == [("view", tech.id)]


def test_a_missing_customer_is_not_logged(owner_client, shop, entries):
    assert owner_client.get("/customers/999999").status_code == 404
    assert entries(shop.id) == []


def test_list_and_search_pages_are_not_logged_as_record_views(owner_client, factory, shop, entries):
    factory.customer(shop, name="Listed")
    owner_client.get("/customers?q=list")
    assert entries(shop.id) == []


def test_owner_reads_the_log_newest_first_with_who_what_when_and_from_where(owner_client, factory, shop, shop_client):
    first = factory.customer(shop, name="First Viewed")
    second = factory.customer(shop, name="Second Viewed")
    advisor = factory.user(shop, Role.SERVICE_ADVISOR, name="Sam Advisor")
    client = shop_client("acme")
    log_in(client, advisor.email)
    client.get(f"/customers/{first.id}", environ_base={"REMOTE_ADDR": "203.0.113.5"}, headers={"User-Agent": BROWSER})
    client.get(f"/customers/{second.id}/export", environ_base={"REMOTE_ADDR": "203.0.113.6"})

    page = owner_client.get("/access-log").get_data(as_text=True)

    assert "Access log" in page and '<span class="muted">(2)</span>' in page
    assert page.index("Second Viewed") < page.index("First Viewed")  # newest first
    assert "Sam Advisor" in page and "Exported" in page and "Viewed" in page
    assert "203.0.113.5" in page and "203.0.113.6" in page and "Workbay test browser" in page


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SERVICE_ADVISOR, Role.TECHNICIAN])
def test_only_the_owner_may_read_the_log(factory, shop, shop_client, role):
    client = shop_client("acme")
    log_in(client, factory.user(shop, role).email)
    assert client.get("/access-log").status_code == 403


def test_the_log_needs_a_login(shop, shop_client):
    response = shop_client("acme").get("/access-log")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_log_is_filtered_by_customer(owner_client, factory, shop, write_entries):
    wanted = factory.customer(shop, name="Wanted Person")
    other = factory.customer(shop, name="Other Person")
    write_entries(shop.id, 2, subject_id=wanted.id)
    write_entries(shop.id, 3, subject_id=other.id)
    page = owner_client.get(f"/access-log?customer_id={wanted.id}").get_data(as_text=True)
    assert "Access log: Wanted Person" in page and '<span class="muted">(2)</span>' in page
    assert "Other Person" not in page


def test_log_is_filtered_by_staff_member_and_action(owner_client, factory, shop, write_entries):
    customer = factory.customer(shop, name="Someone")
    write_entries(shop.id, 2, subject_id=customer.id, action="export")
    owner_client.get(f"/customers/{customer.id}")
    owner = factory.owner(shop)
    by_owner = owner_client.get(f"/access-log?user_id={owner.id}").get_data(as_text=True)
    assert '<span class="muted">(1)</span>' in by_owner
    exports = owner_client.get("/access-log?action=export").get_data(as_text=True)
    assert '<span class="muted">(2)</span>' in exports
    assert '<span class="muted">(3)</span>' in owner_client.get("/access-log?action=bogus").get_data(as_text=True)


def test_the_customer_page_links_the_owner_to_that_customers_log(owner_client, factory, shop):
    customer = factory.customer(shop)
    page = owner_client.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert f"/access-log?customer_id={customer.id}" in page


def test_log_is_paginated(owner_client, factory, shop, write_entries):
    customer = factory.customer(shop)
    write_entries(shop.id, 60, subject_id=customer.id)
    first = owner_client.get("/access-log").get_data(as_text=True)
    assert "Page 1 of 2" in first
    second = owner_client.get(f"/access-log?page=2&customer_id={customer.id}").get_data(as_text=True)
    assert "Page 2 of 2" in second and f"customer_id={customer.id}" in second


def test_empty_log_explains_what_will_appear(owner_client):
    assert "Nothing logged yet" in owner_client.get("/access-log").get_data(as_text=True)


def test_log_page_runs_the_same_number_of_queries_for_3_or_30_entries(
    owner_client, factory, shop, write_entries, count_queries
):
    people = [factory.customer(shop, name=f"Person {n}") for n in range(3)]
    staff = [factory.user(shop, Role.SERVICE_ADVISOR, name=f"Advisor {n}") for n in range(3)]
    for person, member in zip(people, staff, strict=True):
        write_entries(shop.id, 1, subject_id=person.id, user_id=member.id)
    with count_queries() as few:
        assert owner_client.get("/access-log").status_code == 200
    for person, member in zip(people, staff, strict=True):
        write_entries(shop.id, 9, subject_id=person.id, user_id=member.id)
    with count_queries() as many:
        page = owner_client.get("/access-log").get_data(as_text=True)
    assert "Advisor 2" in page and "Person 2" in page
    assert few.count == many.count, many.statements
