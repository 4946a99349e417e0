"""Helpers of the dashboard and report tests."""

from __future__ import annotations

import re


def stat(page: str, label: str) -> str:
    """The value of the stat card whose label starts with `label`."""
    match = re.search(r'<span class="stat-value">([^<]*)</span>\s*<span class="stat-label">' + re.escape(label), page)
    assert match, f"no stat {label!r} on the page"
    return match.group(1).strip()
