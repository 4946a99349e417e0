"""Work order numbers: taken at creation, sequential from 1001, per shop, gapless, safe under concurrency."""

from __future__ import annotations

import threading

from saas.auth.models import User
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.workorders import services
from tests.workorders.helpers import numbers_of


def open_work_order(client, customer_id, **extra):
    return client.post("/work-orders/new", data={"customer_id": customer_id, "concern": "Noise", **extra})


def test_owner_opens_work_orders_numbered_from_1001_in_order(owner_client, app, shop, customer):
    first = open_work_order(owner_client, customer.id)
    second = open_work_order(owner_client, customer.id)

    assert first.status_code == second.status_code == 302
    assert numbers_of(app, shop.id) == [1001, 1002]
    page = owner_client.get(second.headers["Location"]).get_data(as_text=True)
    assert "Work order #1002" in page and "Work order #1002 opened." in page


def test_each_shop_counts_its_own_numbers(owner_client, app, shop, customer, factory, wo):
    other = factory.tenant("bravo")
    wo.work_order(other)
    wo.work_order(other)
    open_work_order(owner_client, customer.id)

    assert numbers_of(app, shop.id) == [1001]
    assert numbers_of(app, other.id) == [1001, 1002]


def test_a_refused_work_order_does_not_use_up_a_number(owner_client, app, shop, customer):
    assert open_work_order(owner_client, "").status_code == 400
    assert open_work_order(owner_client, customer.id, odometer_in="-5").status_code == 400
    assert open_work_order(owner_client, customer.id).status_code == 302

    assert numbers_of(app, shop.id) == [1001]


def test_a_rolled_back_creation_gives_its_number_back(app, shop, customer):
    with app.test_request_context(), tenant_scope(shop.id):
        services.create_work_order(customer_id=customer.id)
        db.session.rollback()
        services.create_work_order(customer_id=customer.id)
        db.session.commit()

    assert numbers_of(app, shop.id) == [1001]


def test_concurrent_creations_take_distinct_gapless_numbers(app, shop, customer, factory):
    threads_count = 8
    owner_id = factory.owner(shop).id
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def create():
        try:
            with app.app_context(), app.test_request_context(), tenant_scope(shop.id):
                user = db.session.get(User, (shop.id, owner_id))
                barrier.wait(timeout=10)
                services.create_work_order(customer_id=customer.id, created_by=user, concern="rush")
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=create) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert numbers_of(app, shop.id) == list(range(1001, 1001 + threads_count))
