"""Documents on customers, vehicles and work orders: upload, list, download, delete, with the local backend."""

from __future__ import annotations

import io
import re
import threading

import pytest
from sqlalchemy import select

from saas.audit.models import AccessLogEntry
from saas.auth.roles import Role
from saas.core.extensions import db
from saas.core.storage import LocalStorage, StorageError
from saas.core.tenancy import tenant_scope
from saas.documents.models import Document
from tests.factories import log_in
from tests.fixtures.storage import HEIC, HTML, JPEG, PDF, PNG, TEXT, WEBP, document_rows, stored_files


@pytest.fixture
def acme(shop):
    """Shop acme (the shared `shop`; `owner_client` is its owner)."""
    return shop


@pytest.fixture
def customer(factory, acme):
    return factory.customer(acme, name="Dana Driver")


def upload(client, path: str, data: bytes, filename: str = "scan.pdf", kind: str = "registration", **form):
    return client.post(
        path,
        data={"kind": kind, "file": (io.BytesIO(data), filename), **form},
        content_type="multipart/form-data",
    )


def test_office_uploads_a_pdf_to_a_customer_and_it_is_listed_with_a_server_built_key(
    owner_client, customer, acme, owner_engine, storage_dir
):
    response = upload(owner_client, f"/documents/customers/{customer.id}", PDF, "Registration 2024.pdf")

    assert response.status_code == 302
    [row] = document_rows(owner_engine, acme.id)
    assert (row["filename"], row["content_type"], row["size_bytes"], row["customer_id"], row["sensitive"]) == (
        "Registration 2024.pdf",
        "application/pdf",
        len(PDF),
        customer.id,
        False,
    )
    assert re.fullmatch(rf"tenants/{acme.id}/registration/[0-9a-f]{{32}}", row["storage_key"])
    assert stored_files(storage_dir) == [row["storage_key"]]
    assert (storage_dir / row["storage_key"]).read_bytes() == PDF
    page = owner_client.get(f"/documents/customers/{customer.id}").get_data(as_text=True)
    assert "Registration 2024.pdf" in page


@pytest.mark.parametrize(
    ("data", "filename", "content_type"),
    [
        (JPEG, "a.jpg", "image/jpeg"),
        (PNG, "b.png", "image/png"),
        (WEBP, "c.webp", "image/webp"),
        (HEIC, "d.heic", "image/heic"),
    ],
)
def test_pictures_of_every_allowed_type_are_stored_with_the_type_read_from_their_bytes(
    owner_client, customer, acme, owner_engine, data, filename, content_type
):
    # The browser's claimed type and the extension do not matter: the bytes decide.
    response = upload(owner_client, f"/documents/customers/{customer.id}", data, filename.replace(".", "-x."), "photo")

    assert response.status_code == 302
    assert [row["content_type"] for row in document_rows(owner_engine, acme.id)] == [content_type]


def test_a_path_in_the_filename_is_kept_as_display_name_only(owner_client, customer, acme, owner_engine, storage_dir):
    upload(owner_client, f"/documents/customers/{customer.id}", PDF, "../../../etc/passwd.pdf")

    [row] = document_rows(owner_engine, acme.id)
    assert row["filename"] == "passwd.pdf"
    assert ".." not in row["storage_key"] and "passwd" not in row["storage_key"]
    assert stored_files(storage_dir) == [row["storage_key"]]


def test_download_is_an_attachment_with_the_stored_type_and_is_written_to_the_access_log(
    app, owner_client, customer, acme, owner_engine
):
    upload(owner_client, f"/documents/customers/{customer.id}", PDF, "licence-scan.pdf", "driving_licence")
    [row] = document_rows(owner_engine, acme.id)

    response = owner_client.get(f"/documents/{row['id']}/download")

    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="licence-scan.pdf"')
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    with app.test_request_context(), tenant_scope(acme.id):
        entries = db.session.scalars(select(AccessLogEntry)).all()
        assert [(e.action, e.subject_type, e.subject_id) for e in entries if e.action == "download"] == [
            ("download", "customer", customer.id)
        ]


def _downloads_logged(app, tenant_id: int) -> int:
    with app.test_request_context(), tenant_scope(tenant_id):
        return sum(1 for entry in db.session.scalars(select(AccessLogEntry)) if entry.action == "download")


def test_a_document_whose_file_is_gone_answers_410_and_logs_no_download(
    app, owner_client, customer, acme, owner_engine, storage_dir
):
    upload(owner_client, f"/documents/customers/{customer.id}", PDF, "papers.pdf")
    [row] = document_rows(owner_engine, acme.id)
    (storage_dir / row["storage_key"]).unlink()

    response = owner_client.get(f"/documents/{row['id']}/download")

    assert response.status_code == 410
    assert "This file is no longer in storage." in response.get_data(as_text=True)
    assert _downloads_logged(app, acme.id) == 0


def test_a_download_while_storage_fails_answers_503_and_logs_no_download(
    app, owner_client, customer, acme, owner_engine, monkeypatch
):
    upload(owner_client, f"/documents/customers/{customer.id}", PDF, "papers.pdf")
    [row] = document_rows(owner_engine, acme.id)

    def unreachable(self, key, filename, content_type):
        raise StorageError("the backend is down")

    monkeypatch.setattr(LocalStorage, "download", unreachable)
    response = owner_client.get(f"/documents/{row['id']}/download")

    assert response.status_code == 503
    assert "The file cannot be fetched just now. Please try again." in response.get_data(as_text=True)
    assert _downloads_logged(app, acme.id) == 0


def test_id_cards_are_sensitive_with_a_retention_date(owner_client, customer, acme, owner_engine):
    upload(owner_client, f"/documents/customers/{customer.id}", JPEG, "id.jpg", "id_card")

    [row] = document_rows(owner_engine, acme.id)
    assert row["sensitive"] is True
    assert row["retain_until"] is not None


def test_a_technician_does_not_see_download_or_upload_an_id_card(
    factory, acme, customer, owner_client, login_as, owner_engine, storage_dir
):
    upload(owner_client, f"/documents/customers/{customer.id}", JPEG, "passport.jpg", "id_card")
    upload(owner_client, f"/documents/customers/{customer.id}", PDF, "registration.pdf", "registration")
    id_card = next(row for row in document_rows(owner_engine, acme.id) if row["kind"] == "id_card")
    technician = login_as(factory.user(acme, Role.TECHNICIAN), "acme")

    listing = technician.get(f"/documents/customers/{customer.id}").get_data(as_text=True)
    customer_page = technician.get(f"/customers/{customer.id}").get_data(as_text=True)
    download = technician.get(f"/documents/{id_card['id']}/download")

    assert "registration.pdf" in listing and "passport.jpg" not in listing
    assert "registration.pdf" in customer_page and "passport.jpg" not in customer_page
    assert download.status_code == 403
    assert len(stored_files(storage_dir)) == 2


def test_a_service_advisor_sees_and_downloads_an_id_card(factory, acme, customer, owner_client, login_as, owner_engine):
    upload(owner_client, f"/documents/customers/{customer.id}", JPEG, "passport.jpg", "id_card")
    [row] = document_rows(owner_engine, acme.id)
    advisor = login_as(factory.user(acme, Role.SERVICE_ADVISOR), "acme")

    assert "passport.jpg" in advisor.get(f"/documents/customers/{customer.id}").get_data(as_text=True)
    assert advisor.get(f"/documents/{row['id']}/download").status_code == 200


def test_technicians_add_photos_to_a_work_order_but_not_papers_to_a_customer(
    factory, acme, customer, build, login_as, owner_engine
):
    work_order_id = build.work_order(acme.id, customer.id)
    technician = login_as(factory.user(acme, Role.TECHNICIAN), "acme")

    on_work_order = upload(technician, f"/documents/work-orders/{work_order_id}", JPEG, "dent.jpg", "photo")
    on_customer = upload(technician, f"/documents/customers/{customer.id}", PDF, "x.pdf")

    assert (on_work_order.status_code, on_customer.status_code) == (302, 403)
    assert [row["work_order_id"] for row in document_rows(owner_engine, acme.id)] == [work_order_id]


def test_asset_documents_have_their_own_page(owner_client, customer, acme, build, owner_engine):
    asset_id = build.asset(acme.id, customer.id)

    response = upload(owner_client, f"/documents/assets/{asset_id}", PDF, "title.pdf")

    assert response.status_code == 302
    assert [row["asset_id"] for row in document_rows(owner_engine, acme.id)] == [asset_id]
    assert "title.pdf" in owner_client.get(f"/documents/assets/{asset_id}").get_data(as_text=True)
    assert "Toyota Corolla" in owner_client.get(f"/customers/{customer.id}").get_data(as_text=True)


def test_the_work_order_page_has_a_documents_section(owner_client, customer, acme, build):
    work_order_id = build.work_order(acme.id, customer.id)
    upload(owner_client, f"/documents/work-orders/{work_order_id}", PDF, "supplier-bill.pdf", "supplier_invoice")

    page = owner_client.get(f"/work-orders/{work_order_id}").get_data(as_text=True)

    assert 'id="documents"' in page and "supplier-bill.pdf" in page


def test_deleting_a_document_removes_its_row_and_its_file(owner_client, customer, acme, owner_engine, storage_dir):
    upload(owner_client, f"/documents/customers/{customer.id}", PDF)
    [row] = document_rows(owner_engine, acme.id)

    response = owner_client.post(f"/documents/{row['id']}/delete")

    assert response.status_code == 302
    assert (document_rows(owner_engine, acme.id), stored_files(storage_dir)) == ([], [])


def test_a_technician_deletes_their_own_photo_but_not_someone_elses(
    factory, acme, customer, build, login_as, owner_client, owner_engine, storage_dir
):
    work_order_id = build.work_order(acme.id, customer.id)
    first = login_as(factory.user(acme, Role.TECHNICIAN), "acme")
    second = login_as(factory.user(acme, Role.TECHNICIAN), "acme")
    upload(first, f"/documents/work-orders/{work_order_id}", JPEG, "mine.jpg", "photo")
    [row] = document_rows(owner_engine, acme.id)

    assert second.post(f"/documents/{row['id']}/delete").status_code == 403
    assert len(stored_files(storage_dir)) == 1
    assert first.post(f"/documents/{row['id']}/delete").status_code == 302
    assert stored_files(storage_dir) == []


# --- bad input: a clear 4xx and nothing stored --------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "status", "message"),
    [
        (TEXT, "notes.jpg", 415, "not a"),
        (HTML, "invoice.pdf", 415, "not a"),
        (b"", "empty.pdf", 400, "empty"),
        (None, None, 400, "Choose a file"),
    ],
    ids=["text-renamed-jpg", "html-called-pdf", "empty-file", "no-file"],
)
def test_a_bad_upload_is_refused_with_a_clear_message_and_nothing_is_stored(
    owner_client, customer, acme, owner_engine, storage_dir, data, filename, status, message
):
    form = {"kind": "registration"}
    if data is not None:
        form["file"] = (io.BytesIO(data), filename)

    response = owner_client.post(f"/documents/customers/{customer.id}", data=form, content_type="multipart/form-data")

    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert (document_rows(owner_engine, acme.id), stored_files(storage_dir)) == ([], [])


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_stored(
    app, monkeypatch, owner_client, customer, acme, owner_engine, storage_dir
):
    monkeypatch.setitem(app.config, "DOCUMENT_MAX_BYTES", 100)

    response = upload(owner_client, f"/documents/customers/{customer.id}", PDF + b"x" * 200)

    assert response.status_code == 413
    assert "larger than" in response.get_data(as_text=True)
    assert (document_rows(owner_engine, acme.id), stored_files(storage_dir)) == ([], [])


def test_an_upload_beyond_the_shops_quota_is_refused_and_nothing_is_stored(
    app, monkeypatch, owner_client, customer, acme, owner_engine, storage_dir
):
    monkeypatch.setitem(app.config, "DOCUMENT_QUOTA_BYTES", len(PDF) + 10)
    assert upload(owner_client, f"/documents/customers/{customer.id}", PDF).status_code == 302

    response = upload(owner_client, f"/documents/customers/{customer.id}", PDF, "second.pdf")

    assert response.status_code == 413
    assert "storage is full" in response.get_data(as_text=True)
    assert len(document_rows(owner_engine, acme.id)) == 1 and len(stored_files(storage_dir)) == 1


def test_uploads_at_the_same_moment_cannot_both_squeeze_under_the_quota(
    app, monkeypatch, factory, acme, customer, login_as, owner_engine, storage_dir
):
    monkeypatch.setitem(app.config, "DOCUMENT_QUOTA_BYTES", len(PDF) + 10)
    clients = [login_as(factory.owner(acme), "acme") for _ in range(4)]
    start = threading.Barrier(len(clients))
    statuses = []

    def send(client):
        start.wait()
        statuses.append(upload(client, f"/documents/customers/{customer.id}", PDF).status_code)

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [302, 413, 413, 413]
    assert len(document_rows(owner_engine, acme.id)) == 1 and len(stored_files(storage_dir)) == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            b'--XYZ\r\nContent-Disposition: form-data; name="kind"\r\n\r\nregistration\r\n--XYZ\r\n'
            b'Content-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Ty',
            "multipart/form-data; boundary=XYZ",
        ),
        (b"%PDF-1.4 not multipart at all", "multipart/form-data"),
        (b"garbage without the boundary", "multipart/form-data; boundary=XYZ"),
    ],
    ids=["cut-in-the-headers", "no-boundary", "boundary-never-appears"],
)
def test_a_broken_multipart_body_is_a_4xx_and_stores_nothing(
    owner_client, customer, acme, owner_engine, storage_dir, body, content_type
):
    response = owner_client.post(f"/documents/customers/{customer.id}", data=body, content_type=content_type)

    assert 400 <= response.status_code < 500
    assert (document_rows(owner_engine, acme.id), stored_files(storage_dir)) == ([], [])


def test_an_unknown_kind_is_refused(owner_client, customer, acme, owner_engine, storage_dir):
    response = upload(owner_client, f"/documents/customers/{customer.id}", PDF, kind="passport-scan")

    assert response.status_code == 400
    assert (document_rows(owner_engine, acme.id), stored_files(storage_dir)) == ([], [])


def test_when_the_database_write_fails_after_the_upload_the_object_is_removed(
    monkeypatch, owner_client, customer, acme, owner_engine, storage_dir
):
    from saas.documents import services

    real_flush = db.session.flush

    def failing_flush(*args, **kwargs):
        if any(isinstance(obj, Document) for obj in db.session.new):
            raise RuntimeError("database went away")
        return real_flush(*args, **kwargs)

    monkeypatch.setattr(services.db.session, "flush", failing_flush)

    response = upload(owner_client, f"/documents/customers/{customer.id}", PDF)

    assert response.status_code == 500
    assert (document_rows(owner_engine, acme.id), stored_files(storage_dir)) == ([], [])


def test_when_the_commit_fails_the_uploaded_object_is_removed(app, acme, customer, storage_dir, owner_engine):
    """A failure after the service returned (here: a rollback instead of a commit) still leaves nothing."""
    from werkzeug.datastructures import FileStorage

    from saas.customers.models import Customer
    from saas.documents import services

    with app.test_request_context(), tenant_scope(acme.id):
        row = db.session.scalar(select(Customer).where(Customer.id == customer.id))
        services.store_document(FileStorage(io.BytesIO(PDF), "a.pdf"), kind="other", customer=row)
        assert len(stored_files(storage_dir)) == 1
        db.session.rollback()

    assert (document_rows(owner_engine, acme.id), stored_files(storage_dir)) == ([], [])


# --- erasure, usage, pages -------------------------------------------------------------------------


def test_erasing_a_customer_removes_their_documents_but_keeps_supplier_invoices(
    app, owner_client, customer, acme, build, owner_engine, storage_dir, factory
):
    from saas.documents.services import delete_documents_of_customer

    other = factory.customer(acme, name="Someone Else")
    asset_id = build.asset(acme.id, customer.id)
    work_order_id = build.work_order(acme.id, customer.id, asset_id)
    upload(owner_client, f"/documents/customers/{customer.id}", JPEG, "id.jpg", "id_card")
    upload(owner_client, f"/documents/assets/{asset_id}", PDF, "title.pdf")
    upload(owner_client, f"/documents/work-orders/{work_order_id}", JPEG, "dent.jpg", "photo")
    upload(owner_client, f"/documents/work-orders/{work_order_id}", PDF, "parts.pdf", "supplier_invoice")
    upload(owner_client, f"/documents/customers/{other.id}", PDF, "other.pdf")

    with app.test_request_context(), tenant_scope(acme.id):
        assert delete_documents_of_customer(customer.id) == 3
        db.session.commit()

    rows = document_rows(owner_engine, acme.id)
    assert sorted(row["filename"] for row in rows) == ["other.pdf", "parts.pdf"]
    assert stored_files(storage_dir) == sorted(row["storage_key"] for row in rows)


def test_the_settings_page_shows_the_shops_storage_usage(owner_client, customer):
    upload(owner_client, f"/documents/customers/{customer.id}", PDF)

    page = owner_client.get("/settings").get_data(as_text=True)

    assert "Documents and photos" in page and "in 1 file." in page


def test_the_platform_console_lists_storage_per_shop(admin_client, factory, owner_client, customer):
    upload(owner_client, f"/documents/customers/{customer.id}", PDF)
    upload(owner_client, f"/documents/customers/{customer.id}", JPEG, "a.jpg", "photo")
    admin = factory.platform_admin()
    log_in(admin_client, admin.email)

    page = admin_client.get("/").get_data(as_text=True)

    assert "2 files" in page


def test_the_document_list_runs_the_same_number_of_queries_for_3_and_30_documents(
    app, owner_client, customer, acme, count_queries
):
    from werkzeug.datastructures import FileStorage

    from saas.customers.models import Customer
    from saas.documents import services

    def add(n):
        with app.test_request_context(), tenant_scope(acme.id):
            row = db.session.scalar(select(Customer).where(Customer.id == customer.id))
            for i in range(n):
                services.store_document(FileStorage(io.BytesIO(PDF), f"f{i}.pdf"), kind="other", customer=row)
            db.session.commit()

    def queries():
        with count_queries() as counter:
            assert owner_client.get(f"/documents/customers/{customer.id}").status_code == 200
        return counter.count

    add(3)
    few = queries()
    add(27)
    many = queries()

    assert few == many
