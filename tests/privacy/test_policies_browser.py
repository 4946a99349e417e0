"""In a real browser, under a strict CSP: the owner changes a setting, reviews the difference, publishes a
material version; the worker mails the customer, who re-confirms their offers with their age."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.browser import log_in_page
from tests.privacy.policy_helpers import add_customer, customer_state
from tests.tasks.helpers import run_pending_jobs

pytestmark = pytest.mark.browser


def test_owner_publishes_a_material_change_and_the_customer_re_confirms(
    browser, live_app, live_server, live_outbox, factory
):
    shop = factory.tenant("policyflow")
    customer = add_customer(live_app, shop, "Rita Reader", "rita@example.com", marketing=True)
    base = f"http://policyflow.{live_server}"
    owner = browser.new_context().new_page()
    owner.set_default_timeout(15000)
    errors: list[str] = []
    owner.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    log_in_page(owner, base, "owner@policyflow.example.com")

    owner.goto(f"{base}/settings")
    owner.click("text=Policy →")
    owner.wait_for_url(f"{base}/settings/privacy/policy")
    owner.click("button:has-text('Publish version 1')")
    owner.wait_for_selector("text=Version 1 of your privacy policy is published.")

    owner.goto(f"{base}/settings/privacy")
    owner.fill("#policy_additions", "A camera records the workshop floor.")
    owner.click("button:has-text('Save privacy settings')")
    owner.wait_for_selector("text=review and publish the new version")

    owner.goto(f"{base}/settings/privacy/policy")
    assert owner.locator(".diff-added", has_text="A camera records the workshop floor.").is_visible()
    owner.check("#material")
    owner.fill("#summary", "We now film the workshop floor.")
    owner.click("button:has-text('Publish version 2')")
    owner.wait_for_selector("text=Customers who agreed to offers get an e-mail")

    run_pending_jobs(live_app)
    body = live_outbox.last_to("rita@example.com").get_content()
    link = re.search(r"http://\S+/privacy/marketing/\S+", body).group(0)
    assert customer_state(live_app, customer)["consent"] is False

    visitor = browser.new_context().new_page()
    visitor.set_default_timeout(15000)
    visitor.goto(link)
    visitor.click("button:has-text('Yes, keep sending me offers')")
    visitor.wait_for_selector("text=Please confirm that you are at least 13")
    visitor.check("#age_confirmed")
    visitor.click("button:has-text('Yes, keep sending me offers')")
    visitor.wait_for_selector("text=you will keep receiving our offers")
    assert customer_state(live_app, customer)["consent"] is True

    visitor.goto(f"{base}/privacy/policy")
    visitor.click("summary:has-text('What changed since version 1')")
    assert visitor.locator(".diff-added", has_text="A camera records the workshop floor.").is_visible()
    assert errors == []
