"""In a real browser, under the strict CSP: a new platform admin enrols an authenticator app (the QR code's
key typed from the page), saves the recovery codes, then logs in again with a code and with a recovery code."""

from __future__ import annotations

import pyotp
import pytest

from tests.browser.test_csp_in_browser import watch_for_violations
from tests.factories import PASSWORD
from tests.platform.second_factor import code_at, step_now, stored_admin

pytestmark = pytest.mark.browser

EMAIL = "ops@workbay.example.com"


def password_step(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Log in')")


def unseen_code(app, secret: str) -> str:
    """A code the console has not accepted yet: now's, or the next step's when now's was used (one step of
    drift is accepted)."""
    last = stored_admin(app, EMAIL).totp_last_step
    return code_at(max(step_now(), last + 1), secret)


def test_a_new_admin_enrols_then_logs_in_with_a_code_and_with_a_recovery_code(page, live_server, factory, app):
    factory.platform_admin(EMAIL, enrolled=False)
    problems = watch_for_violations(page)
    base = f"http://admin.{live_server}"

    # the first login: the QR code and the key, a code from the app, the recovery codes once
    password_step(page, base)
    page.wait_for_url(f"{base}/login/enrol")
    assert page.locator("svg.totp-qr").is_visible()
    assert page.locator("svg.totp-qr").bounding_box()["width"] >= 150  # drawn at a scannable size
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("button:has-text('Confirm and continue')")
    page.wait_for_selector("h1:has-text('Your recovery codes')")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.click("button:has-text('I have saved them, continue')")
    page.wait_for_url(f"{base}/")
    assert "Your second factor is set up." in page.content()

    # logged out, then in again with the app's code
    page.click("button:has-text('Log out')")
    page.wait_for_url(f"{base}/login")
    password_step(page, base)
    page.wait_for_url(f"{base}/login/second-factor")
    page.fill("#code", unseen_code(app, secret))
    page.click("button:has-text('Verify')")
    page.wait_for_url(f"{base}/")

    # and with a recovery code, which then no longer works
    page.click("button:has-text('Log out')")
    page.wait_for_url(f"{base}/login")
    password_step(page, base)
    page.wait_for_url(f"{base}/login/second-factor")
    page.fill("#code", codes[0])
    page.click("button:has-text('Verify')")
    page.wait_for_url(f"{base}/")
    assert "9 recovery codes are left" in page.content()
    page.click("nav >> text=Account")
    page.wait_for_url(f"{base}/account")
    assert page.locator("#recovery-codes-left").inner_text() == "9 of 10"

    assert problems == []
