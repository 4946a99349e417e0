"""Staff of shop A cannot list, download, attach to or delete shop B's documents by id, key or URL."""

from __future__ import annotations

import io

import pytest

from tests.fixtures.storage import JPEG, PDF, document_rows, stored_files


@pytest.fixture
def two_shops(factory, build, login_as):
    """alpha (logged in as its owner) and bravo with a customer, an asset, a work order and a document each."""
    shops = {}
    for name in ("alpha", "bravo"):
        shop = factory.tenant(name)
        customer = factory.customer(shop, name=f"Customer of {name}")
        asset_id = build.asset(shop.id, customer.id)
        work_order_id = build.work_order(shop.id, customer.id, asset_id)
        client = login_as(factory.owner(shop), name)
        client.post(
            f"/documents/customers/{customer.id}",
            data={"kind": "id_card", "file": (io.BytesIO(JPEG), f"{name}-passport.jpg")},
            content_type="multipart/form-data",
        )
        shops[name] = {
            "shop": shop,
            "customer": customer,
            "asset": asset_id,
            "work_order": work_order_id,
            "client": client,
        }
    return shops


def test_bravos_document_is_not_found_from_alpha_by_id_and_stays(two_shops, owner_engine, storage_dir):
    alpha, bravo = two_shops["alpha"], two_shops["bravo"]
    [document] = document_rows(owner_engine, bravo["shop"].id)
    before = (document_rows(owner_engine), stored_files(storage_dir))

    download = alpha["client"].get(f"/documents/{document['id']}/download")
    delete = alpha["client"].post(f"/documents/{document['id']}/delete")

    assert (download.status_code, delete.status_code) == (404, 404)
    assert "bravo-passport" not in download.get_data(as_text=True)
    assert (document_rows(owner_engine), stored_files(storage_dir)) == before


@pytest.mark.parametrize("owner", ["customers", "assets", "work-orders"])
def test_alpha_can_neither_list_nor_attach_to_bravos_rows(two_shops, owner_engine, storage_dir, owner):
    alpha, bravo = two_shops["alpha"], two_shops["bravo"]
    owner_id = {"customers": bravo["customer"].id, "assets": bravo["asset"], "work-orders": bravo["work_order"]}[owner]
    before = (document_rows(owner_engine), stored_files(storage_dir))

    listing = alpha["client"].get(f"/documents/{owner}/{owner_id}")
    attach = alpha["client"].post(
        f"/documents/{owner}/{owner_id}",
        data={"kind": "other", "file": (io.BytesIO(PDF), "planted.pdf")},
        content_type="multipart/form-data",
    )

    assert (listing.status_code, attach.status_code) == (404, 404)
    assert (document_rows(owner_engine), stored_files(storage_dir)) == before


def test_alphas_lists_never_show_bravos_documents(two_shops):
    alpha = two_shops["alpha"]

    pages = [
        alpha["client"].get(path).get_data(as_text=True)
        for path in (f"/documents/customers/{alpha['customer'].id}", f"/customers/{alpha['customer'].id}")
    ]

    assert all("alpha-passport.jpg" in page and "bravo-passport.jpg" not in page for page in pages)


def test_there_is_no_route_that_takes_a_storage_key(two_shops, owner_engine):
    alpha, bravo = two_shops["alpha"], two_shops["bravo"]
    [document] = document_rows(owner_engine, bravo["shop"].id)
    key = document["storage_key"]

    answers = [
        alpha["client"].get(f"/documents/download?key={key}").status_code,
        alpha["client"].get(f"/documents/{key}").status_code,
        alpha["client"].get(f"/{key}").status_code,
        alpha["client"].get(f"/static/../instance/documents/{key}").status_code,
    ]

    assert answers == [404, 404, 404, 404]


def test_bravos_staff_cannot_reach_alphas_document_from_their_own_host_either(two_shops, owner_engine):
    alpha, bravo = two_shops["alpha"], two_shops["bravo"]
    [document] = document_rows(owner_engine, alpha["shop"].id)

    assert bravo["client"].get(f"/documents/{document['id']}/download").status_code == 404
