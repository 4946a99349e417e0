"""A shop's privacy policy, generated from its settings: the text, how it reads as a page, and the
differences between two versions.

The text comes from `privacy/shop_policy/policy.txt`, filled with the shop's profile (name,
contact, country), the declarations of saas.privacy.inventory, the processors the shop uses
(saas.privacy.processors) and its privacy settings (ages, its own words). Its markup is tiny:
"## " starts a heading, "- " a list item, any other line is a paragraph.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass

import pycountry
from flask import current_app, render_template
from markupsafe import Markup, escape

from saas.core.tenant import Tenant
from saas.privacy import inventory
from saas.privacy.processors import shop_processors
from saas.privacy.shop_settings import marketing_age, shop_settings

DIFF_CONTEXT = 1


def shop_address(shop: Tenant) -> str:
    """The shop's public address, e.g. `https://acme.workbay.example` (no request needed: jobs use it too)."""
    config = current_app.config
    return f"{config.get('PREFERRED_URL_SCHEME', 'http')}://{shop.subdomain}.{config['SERVER_NAME']}"


def country_name(code: str | None) -> str:
    """`Germany` for `DE` (the code itself when unknown)."""
    country = pycountry.countries.get(alpha_2=(code or "").upper()) if code else None
    return getattr(country, "common_name", None) or getattr(country, "name", None) or (code or "")


def sensitive_retention_days() -> int:
    """How long ID documents are kept (DOCUMENT_SENSITIVE_RETENTION_DAYS, as documents applies it)."""
    return int(current_app.config.get("DOCUMENT_SENSITIVE_RETENTION_DAYS") or 365)


def activity_rows() -> list[dict]:
    """The declared activities with their data categories, ready to print (the policy's and the record's)."""
    days = sensitive_retention_days()
    rows = []
    for item in inventory.ACTIVITIES:
        categories: list[str] = []
        for holding in inventory.holdings_of(item.key):
            categories += [category for category in holding.categories if category not in categories]
        rows.append(
            {
                "key": item.key,
                "name": item.name,
                "purpose": item.purpose,
                "legal_basis": item.legal_basis,
                "subjects": list(item.subjects),
                "retention": item.retention.format(sensitive_days=days),
                "categories": categories,
            }
        )
    return rows


def generate_policy_text(shop: Tenant) -> str:
    """The policy `shop` would publish now, from its current settings (normalized, so equal settings hash equal)."""
    settings = shop_settings()
    address = shop_address(shop)
    processors = shop_processors(shop)
    text = render_template(
        "privacy/shop_policy/policy.txt",
        shop=shop,
        country=country_name(shop.country),
        activities=activity_rows(),
        processors=processors,
        marketing_age=marketing_age(settings),
        booking_age=settings.booking_minimum_age if settings.booking_age_check else None,
        additions=settings.policy_additions.strip(),
        site_address=address,
        privacy_center_url=f"{address}/privacy",
        policy_url=f"{address}/privacy/policy",
        processors_url=f"{address}/privacy/processors",
    )
    return normalize(text)


def normalize(text: str) -> str:
    """Trailing spaces gone, at most one blank line between blocks, one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def text_hash(text: str) -> str:
    """SHA-256 of the text, in hex: what a published version is recognized by."""
    return hashlib.sha256(text.encode()).hexdigest()


def policy_html(text: str) -> Markup:
    """The policy's text as HTML: headings, lists and paragraphs, everything escaped."""
    parts: list[str] = []
    in_list = False
    for line in text.split("\n"):
        is_item = line.startswith("- ")
        if in_list and not is_item:
            parts.append("</ul>")
            in_list = False
        if not line.strip():
            continue
        if line.startswith("## "):
            parts.append(f"<h2>{escape(line[3:].strip())}</h2>")
        elif is_item:
            if not in_list:
                parts.append("<ul>")
                in_list = True
            parts.append(f"<li>{escape(line[2:].strip())}</li>")
        else:
            parts.append(f"<p>{escape(line)}</p>")
    if in_list:
        parts.append("</ul>")
    return Markup("\n".join(parts))  # noqa: S704 - every piece of text was escaped above


@dataclass(frozen=True)
class DiffLine:
    """One line of a comparison: `kind` is "added", "removed", "same" or "gap" (lines left out)."""

    kind: str
    text: str


def policy_diff(old: str, new: str) -> list[DiffLine]:
    """What changed from `old` to `new`, line by line, with a line of context around each change."""
    old_lines, new_lines = old.split("\n"), new.split("\n")
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for number, group in enumerate(matcher.get_grouped_opcodes(DIFF_CONTEXT)):
        if number or group[0][1] > 0:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [DiffLine("same", line) for line in old_lines[i1:i2]]
                continue
            lines += [DiffLine("removed", line) for line in old_lines[i1:i2]]
            lines += [DiffLine("added", line) for line in new_lines[j1:j2]]
    return [line for line in lines if line.kind == "gap" or line.text.strip()]
