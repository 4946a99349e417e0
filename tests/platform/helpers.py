"""Reading the platform console: its shops table and the platform audit trail."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from sqlalchemy import select

from saas.core.extensions import db
from saas.platform.models import PlatformAuditEntry


@dataclass(frozen=True)
class ShopLine:
    """One line of the console's shops table, as shown."""

    name: str
    subdomain: str
    status: str
    plan: str
    trial_ends: str
    staff: int


ROW = re.compile(
    r"<tr>\s*<td><a [^>]*>(?P<name>.*?)</a></td>\s*<td><a [^>]*>(?P<subdomain>.*?)</a></td>\s*"
    r"<td><span [^>]*>(?P<status>.*?)</span>.*?</td>\s*<td>(?P<plan>.*?)</td>\s*<td>(?P<trial_ends>.*?)</td>\s*"
    r'<td class="num">(?P<staff>\d+)</td>',
    re.S,
)


def shop_lines(response) -> list[ShopLine]:
    """The shops table of a console page, top to bottom."""
    assert response.status_code == 200, response.status_code
    return [
        ShopLine(
            html.unescape(match["name"]),
            match["subdomain"],
            match["status"],
            html.unescape(match["plan"]),
            match["trial_ends"],
            int(match["staff"]),
        )
        for match in ROW.finditer(response.get_data(as_text=True))
    ]


def audit_entries(app, action: str | None = None) -> list[PlatformAuditEntry]:
    """The platform audit trail, oldest first (optionally one kind of action)."""
    with app.app_context():
        query = select(PlatformAuditEntry).order_by(PlatformAuditEntry.id)
        if action:
            query = query.where(PlatformAuditEntry.action == action)
        return list(db.session.scalars(query))
