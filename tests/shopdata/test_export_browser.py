"""In a real browser (strict CSP): the owner starts an export of everything, watches its progress bar, and the
download link appears by itself once the worker has built the archive."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import log_in_page
from tests.shopdata.helpers import run_jobs

pytestmark = pytest.mark.browser


def test_the_progress_bar_turns_into_the_download_once_the_archive_is_built(page, live_server, live_app, factory):
    factory.tenant("garage", name="Corner Garage")
    base = f"http://garage.{live_server}"
    log_in_page(page, base, "owner@garage.example.com")

    page.goto(f"{base}/settings")
    page.click("#shop-export >> text=Export all data →")
    page.click("button:has-text('Export all data')")
    page.wait_for_url(f"{base}/shop-export")
    assert page.locator("#shop-export progress[data-poll]").count() == 1

    run_jobs(live_app)

    page.wait_for_selector("#shop-export a:has-text('Download ZIP')", timeout=15000)
    with page.expect_download() as download:
        page.click("#shop-export a:has-text('Download ZIP')")
    assert download.value.suggested_filename.endswith(".zip")
