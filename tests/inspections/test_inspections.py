"""Inspections: checklists, rating items with photos, recommended jobs, the customer's photos on the estimate."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from saas.auth.roles import Role
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.inspections.models import Inspection, InspectionItem
from saas.workorders.models import Job
from tests.fixtures.storage import JPEG, PDF, TEXT, document_rows, stored_files


@pytest.fixture
def shop(factory):
    return factory.tenant("garage")


@pytest.fixture
def work_order_id(factory, shop, build):
    customer = factory.customer(shop, name="Ines Inspected")
    return build.work_order(shop.id, customer.id, build.asset(shop.id, customer.id))


@pytest.fixture
def owner(factory, shop, login_as):
    return login_as(factory.owner(shop), "garage")


@pytest.fixture
def technician(factory, shop, login_as):
    return login_as(factory.user(shop, Role.TECHNICIAN), "garage")


def _items(app, tenant_id: int, inspection_id: int) -> list[InspectionItem]:
    with app.test_request_context(), tenant_scope(tenant_id):
        items = db.session.scalars(
            select(InspectionItem)
            .where(InspectionItem.inspection_id == inspection_id)
            .order_by(InspectionItem.position)
        ).all()
        db.session.expunge_all()
        return list(items)


def _jobs(app, tenant_id: int, work_order_id: int) -> list[tuple[str, bool]]:
    with app.test_request_context(), tenant_scope(tenant_id):
        return [
            (job.title, job.recommended)
            for job in db.session.scalars(select(Job).where(Job.work_order_id == work_order_id).order_by(Job.position))
        ]


def _start(client, work_order_id: int, template_id: int) -> int:
    response = client.post(f"/inspections/work-orders/{work_order_id}/start", data={"template_id": template_id})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.location.rstrip("/").rsplit("/", 1)[-1])


def _save(client, item_id: int, rating: str, notes: str = "", photo: bytes | None = None, name: str = "p.jpg"):
    data = {"rating": rating, "notes": notes}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), name)
    return client.post(f"/inspections/items/{item_id}", data=data, content_type="multipart/form-data")


def test_a_manager_creates_a_checklist_with_one_item_per_line(owner):
    response = owner.post("/inspections/templates", data={"name": "Brakes & tyres", "items": "Pads\n\nDiscs\nTyres"})

    page = owner.get("/inspections/templates").get_data(as_text=True)
    assert response.status_code == 302
    assert "Brakes &amp; tyres" in page and "(3 items)" in page


def test_a_technician_may_not_edit_checklists(technician):
    assert technician.post("/inspections/templates", data={"name": "Mine", "items": "x"}).status_code == 403


def test_a_checklist_name_is_unique_per_shop(owner, shop, build):
    build.template(shop.id, "Basic")

    assert owner.post("/inspections/templates", data={"name": "basic", "items": "x"}).status_code == 409


def test_starting_copies_the_checklist_and_the_work_order_page_links_it(app, owner, shop, build, work_order_id):
    template_id = build.template(shop.id)

    inspection_id = _start(owner, work_order_id, template_id)

    assert [item.label for item in _items(app, shop.id, inspection_id)] == ["Brake pads", "Tyres", "Lights"]
    page = owner.get(f"/work-orders/{work_order_id}").get_data(as_text=True)
    assert f"/inspections/{inspection_id}" in page and "Multi-point check" in page


def test_the_inspection_page_offers_the_phone_camera(owner, shop, build, work_order_id):
    inspection_id = _start(owner, work_order_id, build.template(shop.id))

    page = owner.get(f"/inspections/{inspection_id}").get_data(as_text=True)

    assert 'accept="image/*" capture="environment"' in page


def test_a_technician_rates_an_item_with_notes_and_a_photo(
    app, technician, owner, shop, build, work_order_id, owner_engine, storage_dir
):
    inspection_id = _start(owner, work_order_id, build.template(shop.id))
    item = _items(app, shop.id, inspection_id)[0]

    response = _save(technician, item.id, "urgent", "2 mm left", JPEG, "pads.jpg")

    assert response.status_code == 303
    [saved, *_] = _items(app, shop.id, inspection_id)
    assert (saved.rating, saved.notes) == ("urgent", "2 mm left")
    [photo] = document_rows(owner_engine, shop.id)
    assert (photo["kind"], photo["inspection_item_id"], photo["work_order_id"]) == ("photo", item.id, work_order_id)
    assert stored_files(storage_dir) == [photo["storage_key"]]


@pytest.mark.parametrize(("data", "status"), [(PDF, 415), (TEXT, 415), (b"", 400)])
def test_a_photo_that_is_not_a_picture_is_refused_and_nothing_is_saved(
    app, owner, shop, build, work_order_id, owner_engine, storage_dir, data, status
):
    inspection_id = _start(owner, work_order_id, build.template(shop.id))
    item = _items(app, shop.id, inspection_id)[0]

    response = _save(owner, item.id, "good", "fine", data, "photo.jpg")

    assert response.status_code == status
    assert (document_rows(owner_engine, shop.id), stored_files(storage_dir)) == ([], [])
    assert _items(app, shop.id, inspection_id)[0].rating is None  # the rating went with it: nothing half-saved


def test_finishing_needs_every_item_rated(app, owner, shop, build, work_order_id):
    inspection_id = _start(owner, work_order_id, build.template(shop.id))
    _save(owner, _items(app, shop.id, inspection_id)[0].id, "good")

    response = owner.post(f"/inspections/{inspection_id}/finish")

    assert response.status_code == 400
    assert "Rate every item" in response.get_data(as_text=True)
    assert _jobs(app, shop.id, work_order_id) == []


def test_finishing_turns_items_needing_attention_into_recommended_jobs(app, owner, shop, build, work_order_id):
    inspection_id = _start(owner, work_order_id, build.template(shop.id))
    pads, tyres, lights = _items(app, shop.id, inspection_id)
    _save(owner, pads.id, "urgent", "Metal on metal")
    _save(owner, tyres.id, "needs_attention", "3 mm tread")
    _save(owner, lights.id, "good")

    response = owner.post(f"/inspections/{inspection_id}/finish")

    assert response.status_code == 302
    assert _jobs(app, shop.id, work_order_id) == [("Brake pads (urgent)", True), ("Tyres", True)]
    assert _save(owner, lights.id, "urgent").status_code == 409  # finished: no more changes
    assert owner.post(f"/inspections/{inspection_id}/finish").status_code == 409  # and no second set of jobs
    assert len(_jobs(app, shop.id, work_order_id)) == 2


def _finished_with_photo(app, client, shop, build, work_order_id):
    inspection_id = _start(client, work_order_id, build.template(shop.id))
    pads, tyres, lights = _items(app, shop.id, inspection_id)
    _save(client, pads.id, "urgent", "Worn out", JPEG, "pads.jpg")
    _save(client, tyres.id, "good")
    _save(client, lights.id, "good")
    assert client.post(f"/inspections/{inspection_id}/finish").status_code == 302
    return inspection_id


def test_the_customers_estimate_shows_the_photo_next_to_the_recommended_job(
    app, owner, shop, build, work_order_id, owner_engine, shop_client
):
    _finished_with_photo(app, owner, shop, build, work_order_id)
    [photo] = document_rows(owner_engine, shop.id)
    token = build.estimate_token(shop.id, work_order_id)
    customer = shop_client("garage")

    page = customer.get(f"/estimate/{token}").get_data(as_text=True)
    src = f"/estimate/{token}/photos/{photo['storage_key'].rsplit('/', 1)[-1]}"
    served = customer.get(src)

    assert "Brake pads (urgent)" in page and "Worn out" in page and src in page
    assert served.status_code == 200 and served.data == JPEG
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Content-Disposition"].startswith("attachment;")


def test_a_photo_is_served_only_for_the_work_order_of_the_token(
    app, factory, owner, shop, build, work_order_id, owner_engine, shop_client
):
    _finished_with_photo(app, owner, shop, build, work_order_id)
    [photo] = document_rows(owner_engine, shop.id)
    ref = photo["storage_key"].rsplit("/", 1)[-1]
    other_customer = factory.customer(shop, name="Other")
    other_token = build.estimate_token(shop.id, build.work_order(shop.id, other_customer.id))
    client = shop_client("garage")

    answers = [
        client.get(f"/estimate/{other_token}/photos/{ref}").status_code,
        client.get(f"/estimate/not-a-token/photos/{ref}").status_code,
        client.get(f"/estimate/{build.estimate_token(shop.id, work_order_id)}/photos/{'0' * 32}").status_code,
        client.get(f"/estimate/{build.estimate_token(shop.id, work_order_id)}/photos/../../etc").status_code,
    ]

    assert answers == [404, 404, 404, 404]


def test_a_photo_whose_file_is_gone_is_not_served(
    app, owner, shop, build, work_order_id, owner_engine, shop_client, storage_dir
):
    _finished_with_photo(app, owner, shop, build, work_order_id)
    [photo] = document_rows(owner_engine, shop.id)
    (storage_dir / photo["storage_key"]).unlink()
    token = build.estimate_token(shop.id, work_order_id)

    answer = shop_client("garage").get(f"/estimate/{token}/photos/{photo['storage_key'].rsplit('/', 1)[-1]}")

    assert answer.status_code == 410
    assert answer.headers["Cache-Control"] == "no-store"


def test_photos_of_an_unfinished_inspection_are_not_shown_to_the_customer(
    app, owner, shop, build, work_order_id, owner_engine, shop_client
):
    inspection_id = _start(owner, work_order_id, build.template(shop.id))
    _save(owner, _items(app, shop.id, inspection_id)[0].id, "urgent", "", JPEG)
    [photo] = document_rows(owner_engine, shop.id)
    token = build.estimate_token(shop.id, work_order_id)

    answer = shop_client("garage").get(f"/estimate/{token}/photos/{photo['storage_key'].rsplit('/', 1)[-1]}")

    assert answer.status_code == 404


def test_another_shops_token_never_serves_this_shops_photo(
    app, factory, owner, shop, build, work_order_id, owner_engine, shop_client
):
    _finished_with_photo(app, owner, shop, build, work_order_id)
    [photo] = document_rows(owner_engine, shop.id)
    ref = photo["storage_key"].rsplit("/", 1)[-1]
    other = factory.tenant("rival")
    rival_customer = factory.customer(other)
    rival_token = build.estimate_token(other.id, build.work_order(other.id, rival_customer.id))

    on_rival_host = shop_client("rival").get(f"/estimate/{rival_token}/photos/{ref}")
    token_on_our_host = shop_client("garage").get(f"/estimate/{rival_token}/photos/{ref}")

    assert (on_rival_host.status_code, token_on_our_host.status_code) == (404, 404)


def test_staff_of_another_shop_cannot_use_this_shops_inspection_ids(
    app, factory, owner, shop, build, work_order_id, login_as, owner_engine, storage_dir
):
    inspection_id = _start(owner, work_order_id, build.template(shop.id))
    item = _items(app, shop.id, inspection_id)[0]
    rival = factory.tenant("rival")
    rival_owner = login_as(factory.owner(rival), "rival")
    rival_customer = factory.customer(rival)
    rival_work_order = build.work_order(rival.id, rival_customer.id)
    our_template = build.template(shop.id, "Ours")

    answers = [
        rival_owner.get(f"/inspections/{inspection_id}").status_code,
        _save(rival_owner, item.id, "urgent", "hijack", JPEG).status_code,
        rival_owner.post(
            f"/inspections/items/{item.id}/photos", data={"photo": (io.BytesIO(JPEG), "x.jpg")}
        ).status_code,
        rival_owner.post(f"/inspections/{inspection_id}/finish").status_code,
        rival_owner.post(
            f"/inspections/work-orders/{work_order_id}/start", data={"template_id": our_template}
        ).status_code,
        # their own work order, our checklist id in the form field
        rival_owner.post(
            f"/inspections/work-orders/{rival_work_order}/start", data={"template_id": our_template}
        ).status_code,
    ]

    assert answers == [404] * 6
    assert _items(app, shop.id, inspection_id)[0].rating is None
    assert (document_rows(owner_engine), stored_files(storage_dir)) == ([], [])
    with app.test_request_context(), tenant_scope(rival.id):
        assert db.session.scalars(select(Inspection)).all() == []


def test_the_checklists_page_runs_the_same_number_of_queries_for_3_and_30_checklists(owner, shop, build, count_queries):
    def queries():
        with count_queries() as counter:
            assert owner.get("/inspections/templates").status_code == 200
        return counter.count

    for n in range(3):
        build.template(shop.id, f"Checklist {n}")
    few = queries()
    for n in range(3, 30):
        build.template(shop.id, f"Checklist {n}")

    assert queries() == few
