"""In a real browser, under the strict CSP: a customer asks the shop to correct their data on its privacy
center -> the confirmation mail -> they confirm by its link -> the owner finds the request in the queue,
corrects the customer from it and completes it -> the customer gets the answer by mail."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.customers.models import Customer
from tests.factories import PASSWORD

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
    staff.goto(f"{base}/login")
    staff.fill("#email", "owner@privflow.example.com")
    staff.fill("#password", PASSWORD)
    staff.click("button:has-text('Log in')")
    staff.wait_for_url(f"{base}/")
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
