"""In a real browser, under the strict CSP: a customer asks the shop to correct their data on its privacy
center -> the confirmation mail -> they confirm by its link -> the owner finds the request in the queue,
corrects the customer from it and completes it -> the customer gets the answer by mail. And an access
request, from asking to downloading the ZIP of one's data."""

from __future__ import annotations

import json
import re
import zipfile

import pytest
from sqlalchemy import select

from saas.core.extensions import db
from saas.core.tasks.worker import run_worker
from saas.core.tenancy import tenant_scope
from saas.customers.models import Customer
from tests.fixtures.browser import log_in_page

pytestmark = pytest.mark.browser

DANA = "dana@example.com"


def test_a_correction_request_from_asking_to_the_answer(browser, live_server, live_outbox, factory, app):
    shop = factory.tenant("privflow", name="Privflow Garage")
    factory.customer(shop, name="Dana Driver", email=DANA)
    base = f"http://privflow.{live_server}"

    # the customer asks, no account needed
    person = browser.new_context().new_page()
    person.set_default_timeout(15000)
    person.goto(f"{base}/privacy")
    assert "Your privacy at Privflow Garage" in person.content()
    person.check("input[name=kind][value=correction]")
    person.fill("#email", DANA)
    person.fill("#details", "My phone number is now (217) 555-0123.")
    person.click("button:has-text('Send my request')")
    person.wait_for_selector("text=Check your inbox")

    # ... and confirms from the mail: nothing happened before this
    mail = live_outbox.last_to(DANA)
    assert "Please confirm your privacy request" in mail["Subject"]
    link = live_outbox.link_in_last_to(DANA)
    assert link.startswith(f"{base}/privacy/confirm/")
    person.goto(link)
    person.click("button:has-text('Confirm my request')")
    person.wait_for_selector("text=your request is confirmed")
    assert "We have your privacy request" in live_outbox.last_to(DANA)["Subject"]
    assert "New privacy request" in live_outbox.last_to("owner@privflow.example.com")["Subject"]

    # the owner finds it in the queue and corrects the customer from it
    staff = browser.new_context().new_page()
    staff.set_default_timeout(15000)
    log_in_page(staff, base, "owner@privflow.example.com")
    staff.click("nav >> text=Privacy")
    staff.wait_for_url(f"{base}/privacy-requests")
    staff.click("table >> a:has-text('Correct my data')")
    staff.wait_for_url(re.compile(r".*/privacy-requests/\d+$"))
    request_url = staff.url
    assert "My phone number is now (217) 555-0123." in staff.content()
    assert "Dana Driver" in staff.content()
    staff.click("a:has-text('Correct…')")
    staff.fill("#phone", "(217) 555-0123")
    staff.click("button:has-text('Save the correction')")
    staff.wait_for_url(request_url)
    staff.wait_for_selector("text=phone corrected")

    # ... and completes it with a note the customer reads
    staff.click("summary:has-text('Complete…')")
    staff.fill("#complete-note", "We corrected your phone number to (217) 555-0123.")
    staff.click("button:has-text('Complete and tell the requester')")
    staff.wait_for_selector("text=is completed. The requester was told.")
    assert "corrected a customer's details" in staff.content() and "completed it" in staff.content()

    answer = live_outbox.last_to(DANA)
    assert "is done" in answer["Subject"]
    assert "We corrected your phone number to (217) 555-0123." in answer.get_content()
    with app.test_request_context(), tenant_scope(shop.id):
        assert db.session.scalar(select(Customer.phone).where(Customer.email == DANA)) == "+12175550123"


def test_an_access_request_from_asking_to_downloading_the_zip(browser, live_app, live_server, live_outbox, factory):
    """The whole access path: asked and confirmed by the person, prepared by the owner, built by the worker,
    fetched by the person through the mailed link; the archive holds their records and nobody else's."""
    shop = factory.tenant("privzip", name="Privzip Garage")
    factory.customer(shop, name="Zoe Zip", email="zoe@example.com")
    factory.customer(shop, name="Other Person", email="other@example.com")
    base = f"http://privzip.{live_server}"

    person = browser.new_context(accept_downloads=True).new_page()
    person.set_default_timeout(15000)
    person.goto(f"{base}/privacy")
    person.check("input[name=kind][value=access]")
    person.fill("#email", "zoe@example.com")
    person.click("button:has-text('Send my request')")
    person.wait_for_selector("text=Check your inbox")
    person.goto(live_outbox.link_in_last_to("zoe@example.com"))
    person.click("button:has-text('Confirm my request')")
    person.wait_for_selector("text=your request is confirmed")

    staff = browser.new_context().new_page()
    staff.set_default_timeout(15000)
    log_in_page(staff, base, "owner@privzip.example.com")
    staff.goto(f"{base}/privacy-requests")
    staff.click("table >> a:has-text('See my data')")
    staff.wait_for_url(re.compile(r".*/privacy-requests/\d+$"))
    staff.click("button:has-text('Prepare their data')")
    staff.wait_for_selector("text=The export is being prepared")
    assert staff.locator("progress[data-poll]").count() == 1

    run_worker(live_app, wait=False, periodic=False, listen_notify=False)
    staff.wait_for_selector(
        "text=the link was mailed to zoe@example.com", timeout=20000
    )  # the page polled and reloaded

    mail = live_outbox.last_to("zoe@example.com")
    assert "is ready" in mail["Subject"]
    link = re.search(r"http://privzip\.\S+/privacy/exports/\S+", mail.get_content()).group(0)
    with person.expect_download() as download:
        person.evaluate("link => { window.location.href = link; }", link)
    archive = zipfile.ZipFile(download.value.path())
    [record] = json.loads(archive.read("data.json"))["customers"]
    assert record["customer"]["email"] == "zoe@example.com"
    assert b"other@example.com" not in b"".join(archive.read(name) for name in archive.namelist())
