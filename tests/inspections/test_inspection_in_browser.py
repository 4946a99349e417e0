"""In a real browser: a photo taken for an inspection item shows up on the customer's estimate page."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.browser import log_in_page
from tests.fixtures.storage import ShopBuilder, real_png

pytestmark = pytest.mark.browser


def test_a_photo_uploaded_to_an_inspection_item_is_shown_on_the_customers_estimate(
    browser, live_server, live_app, factory, monkeypatch, tmp_path
):
    monkeypatch.setitem(live_app.config, "STORAGE_BACKEND", "local")
    monkeypatch.setitem(live_app.config, "STORAGE_LOCAL_DIR", str(tmp_path / "documents"))
    build = ShopBuilder(live_app)
    shop = factory.tenant("inspectme")
    customer = factory.customer(shop, name="Pat Photo")
    work_order_id = build.work_order(shop.id, customer.id, build.asset(shop.id, customer.id))
    build.template(shop.id, "Brake check", ("Front brake pads", "Brake fluid"))
    photo = tmp_path / "pads.png"
    photo.write_bytes(real_png())
    base = f"http://inspectme.{live_server}"

    staff = browser.new_context().new_page()
    staff.set_default_timeout(15000)
    log_in_page(staff, base, "owner@inspectme.example.com")

    staff.goto(f"{base}/work-orders/{work_order_id}")
    staff.click("button:has-text('Start inspection')")
    staff.wait_for_url(re.compile(r".*/inspections/\d+$"))
    first, second = staff.locator("form[action*='/inspections/items/']").all()
    first.locator("input[value=urgent]").check()
    first.locator("textarea[name=notes]").fill("Pads down to 2 mm")
    camera = first.locator("input[type=file][capture=environment]")
    camera.set_input_files(str(photo))
    first.locator("button:has-text('Save')").click()
    staff.wait_for_selector("text=“Front brake pads” saved.")
    assert "pads.png" in staff.content()
    second = staff.locator("form[action*='/inspections/items/']").nth(1)
    second.locator("input[value=good]").check()
    second.locator("button:has-text('Save')").click()
    staff.wait_for_selector("text=“Brake fluid” saved.")
    staff.click("button:has-text('Finish inspection')")
    staff.wait_for_url(re.compile(rf".*/work-orders/{work_order_id}#jobs$"))
    assert "Front brake pads (urgent)" in staff.content()

    token = build.estimate_token(shop.id, work_order_id)
    customer_page = browser.new_context().new_page()
    customer_page.set_default_timeout(15000)
    customer_page.goto(f"{base}/estimate/{token}")
    image = customer_page.locator("img[alt='Photo of Front brake pads']")
    image.wait_for()
    customer_page.wait_for_function(
        "() => { const i = document.querySelector(\"img[alt='Photo of Front brake pads']\"); return i && i.complete && i.naturalWidth > 0; }"
    )
    job_card = customer_page.locator("section:has(h2:has-text('Front brake pads (urgent)'))")
    assert job_card.locator("img").count() == 1
    assert "Pads down to 2 mm" in job_card.inner_text()
