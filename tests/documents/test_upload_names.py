"""A file's name never claims another type than its content: `x.html` that is a PDF is stored and
downloaded as `x.pdf`, with the stored type, `nosniff` and as an attachment, on either backend."""

from __future__ import annotations

import io
import urllib.request

import boto3
import pytest
from botocore.config import Config as BotoConfig
from sqlalchemy import text

from saas.documents import services
from tests.fixtures.browser import free_port
from tests.fixtures.storage import JPEG, PDF, ShopBuilder, document_rows

# Starts like a PDF (so it is one by its bytes), is HTML after that: a browser sniffing it would run it.
PDF_THAT_IS_HTML = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
BUCKET = "workbay-upload-names"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def upload(client, customer_id: int, data: bytes, filename: str):
    return client.post(
        f"/documents/customers/{customer_id}",
        data={"kind": "registration", "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_an_html_name_on_pdf_bytes_is_stored_as_a_pdf_name(owner_client, customer, shop, owner_engine):
    response = upload(owner_client, customer.id, PDF_THAT_IS_HTML, "x.html")

    assert response.status_code == 302
    [row] = document_rows(owner_engine, shop.id)
    assert (row["filename"], row["content_type"]) == ("x.pdf", "application/pdf")
    page = owner_client.get(f"/documents/customers/{customer.id}").get_data(as_text=True)
    assert "x.pdf" in page and "x.html" not in page


@pytest.mark.parametrize(
    ("data", "sent_as", "stored_as"),
    [
        (PDF, "Registration 2024.pdf", "Registration 2024.pdf"),
        (JPEG, "IMG_0042.JPEG", "IMG_0042.JPEG"),
        (JPEG, "dent.png", "dent.jpg"),
        (PDF, "scan", "scan.pdf"),
        (PDF, "invoice.svg", "invoice.pdf"),
        (PDF, "papers.v2024", "papers.pdf"),
        (PDF, "contract.2024", "contract.2024.pdf"),
    ],
)
def test_a_name_keeps_a_right_extension_and_loses_a_wrong_one(
    owner_client, customer, shop, owner_engine, data, sent_as, stored_as
):
    upload(owner_client, customer.id, data, sent_as)

    assert [row["filename"] for row in document_rows(owner_engine, shop.id)] == [stored_as]


def test_the_download_is_an_attachment_named_for_its_type_that_no_browser_sniffs_or_runs(
    owner_client, customer, shop, owner_engine
):
    upload(owner_client, customer.id, PDF_THAT_IS_HTML, "x.html")
    [row] = document_rows(owner_engine, shop.id)

    response = owner_client.get(f"/documents/{row['id']}/download")

    assert response.status_code == 200 and response.data == PDF_THAT_IS_HTML
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="x.pdf"')
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'; sandbox"
    assert "no-store" in response.headers["Cache-Control"]


def test_a_document_stored_earlier_with_a_wrong_name_downloads_with_the_right_one(
    owner_client, customer, shop, owner_engine
):
    upload(owner_client, customer.id, PDF_THAT_IS_HTML, "x.pdf")
    [row] = document_rows(owner_engine, shop.id)
    with owner_engine.begin() as conn:  # as an upload before names were checked left it
        conn.execute(text("SELECT set_config('workbay.cross_tenant', 'on', true)"))
        conn.execute(text("UPDATE documents SET filename = 'x.html' WHERE id = :id"), {"id": row["id"]})

    response = owner_client.get(f"/documents/{row['id']}/download")

    assert response.headers["Content-Disposition"].startswith('attachment; filename="x.pdf"')


def test_the_customers_data_export_names_the_file_for_its_type(app, owner_client, customer, shop):
    upload(owner_client, customer.id, PDF_THAT_IS_HTML, "x.html")

    names = ShopBuilder(app).run(
        shop.id, lambda: [file.path for file in services.exported_files_of_customer(customer.id)]
    )

    assert len(names) == 1 and names[0].endswith("-x.pdf")


# --- on S3 ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 on 127.0.0.1 with an empty bucket; its URL."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **CREDENTIALS).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def on_s3(app, monkeypatch, s3_endpoint):
    """The app storing documents in the stand-in bucket."""
    for name, value in {
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": BUCKET,
        "S3_REGION": "us-east-1",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setitem(app.config, name, value)
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        config=BotoConfig(signature_version="s3v4"),
        **CREDENTIALS,
    )


def test_on_s3_the_pdf_named_html_is_stored_and_served_as_a_pdf_attachment(factory, login_as, on_s3, owner_engine):
    shop = factory.tenant("s3names")
    customer = factory.customer(shop)
    client = login_as(factory.owner(shop), "s3names")

    upload(client, customer.id, PDF_THAT_IS_HTML, "x.html")
    [row] = document_rows(owner_engine, shop.id)
    redirect = client.get(f"/documents/{row['id']}/download")

    assert row["filename"] == "x.pdf"
    assert on_s3.head_object(Bucket=BUCKET, Key=row["storage_key"])["ContentType"] == "application/pdf"
    assert redirect.status_code == 302
    assert redirect.headers["X-Content-Type-Options"] == "nosniff" and redirect.headers["Cache-Control"] == "no-store"
    with urllib.request.urlopen(redirect.location, timeout=10) as answer:  # noqa: S310 - our loopback stand-in
        assert answer.read() == PDF_THAT_IS_HTML
        assert answer.headers["Content-Type"] == "application/pdf"
        assert answer.headers["Content-Disposition"].startswith('attachment; filename="x.pdf"')
    on_s3.delete_object(Bucket=BUCKET, Key=row["storage_key"])
