"""In a real browser, a shop's whole day: customer -> vehicle by VIN -> work order -> estimate
e-mailed -> the customer approves by the link -> invoice -> payment -> the dashboard shows revenue."""

import re

import pytest

from tests.fixtures.browser import log_in_page

# The VIN typed below must read as a 2003 Honda on any day (see `vin_decoding_day`).
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("vin_decoding_day")]


def test_customer_to_paid_invoice_in_the_browser(browser, live_server, live_outbox, factory):
    shop = factory.tenant("dayflow")
    base = f"http://dayflow.{live_server}"
    staff = browser.new_context().new_page()
    staff.set_default_timeout(15000)

    log_in_page(staff, base, "owner@dayflow.example.com")

    # a new customer
    staff.goto(f"{base}/customers/new")
    staff.fill("#name", "Dana Driver")
    staff.fill("#email", "dana@example.com")
    staff.fill("#phone", "(217) 555-0188")
    staff.click("button:has-text('Save')")
    staff.wait_for_url(re.compile(r".*/customers/\d+$"))
    assert "+1 217-555-0188" in staff.content() or "(217) 555-0188" in staff.content()

    # a vehicle by VIN: the check digit is verified and make/year are read from it
    staff.click("text=+ Vehicle")
    staff.fill("#vin", "1HGCM82633A004352")
    staff.fill("#plate", "DANA-1")
    staff.fill("#model", "Accord")
    staff.click("button:has-text('Save')")
    staff.wait_for_url(re.compile(r".*/customers/\d+$"))
    assert "Honda" in staff.content() and "2003" in staff.content()

    # a work order with a job and its lines
    staff.click("text=+ Work order")
    staff.select_option("#asset_id", index=1)
    staff.fill("#concern", "Grinding noise when braking")
    staff.click("button:has-text('Open work order')")
    staff.wait_for_url(re.compile(r".*/work-orders/\d+$"))
    work_order_url = staff.url
    staff.fill("form[action$='/jobs'] [name=title]", "Front brake pads")
    staff.click("form[action$='/jobs'] button[type=submit]")
    staff.click("summary:has-text('Add labor, a part, a fee or a discount')")
    line_form = "form[action*='/jobs/'][action$='/lines']"
    staff.select_option(f"{line_form} [name=kind]", "labor")
    staff.fill(f"{line_form} [name=description]", "Replace front pads")
    staff.fill(f"{line_form} [name=quantity]", "1.5")
    staff.fill(f"{line_form} [name=unit_price]", "100")
    staff.click(f"{line_form} button[type=submit]")
    staff.wait_for_selector("text=Replace front pads")

    # the estimate goes out by e-mail; the customer approves it by the link, no account needed
    staff.click("button:has-text('Send estimate')")
    staff.wait_for_selector("text=Send estimate again")
    link = live_outbox.link_in_last_to("dana@example.com")
    assert link.startswith(f"{base}/estimate/")

    customer = browser.new_context().new_page()
    customer.goto(link)
    assert "Front brake pads" in customer.content()
    customer.check("input[value=approved]")
    customer.fill("#signed_name", "Dana Driver")
    customer.click("button:has-text('Send my answer')")
    customer.wait_for_selector("text=Thank you")

    # staff see the approval at once, do the work, invoice it, take the payment
    staff.goto(work_order_url)
    assert "Dana Driver" in staff.content()
    for target in ("in_progress", "ready"):
        staff.click(f"button[name=status][value={target}]")
        staff.wait_for_url(re.compile(r".*/work-orders/\d+.*"))
    staff.click("button:has-text('Create invoice')")
    staff.wait_for_url(re.compile(r".*/invoices/\d+$"))
    assert "150.00" in staff.content()
    staff.fill("#amount", "150.00")
    staff.select_option("#method", "card")
    staff.click("button:has-text('Record payment')")
    staff.wait_for_selector("text=Paid")

    # the dashboard counts the revenue
    staff.goto(f"{base}/")
    assert "150" in staff.locator("main").inner_text()
    staff.context.close()
    customer.context.close()
    assert shop.subdomain == "dayflow"
