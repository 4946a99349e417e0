"""The daily upkeep of one shop's privacy requests (run by saas.privacy.tasks, as that shop):
the owners hear about requests due soon or overdue, and requests never confirmed are dropped."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import active_tenant
from saas.privacy.request_mail import mail_owners_deadlines
from saas.privacy.request_models import PrivacyRequest, RequestStatus
from saas.privacy.request_queries import requests_near_deadline
from saas.shop.periods import shop_today

# A request nobody confirmed is kept this long (for a look at misuse), then deleted with its history.
UNCONFIRMED_KEEP_DAYS = 30


def remind_owners(now: datetime | None = None) -> int:
    """Mail the owners one list of the open requests due within 5 days or overdue; return how many."""
    today = shop_today(active_tenant(), now)
    due = requests_near_deadline(today)
    if due:
        mail_owners_deadlines(due, today)
    return len(due)


def drop_unconfirmed(now: datetime | None = None) -> int:
    """Delete requests still unconfirmed after UNCONFIRMED_KEEP_DAYS days; return how many."""
    cutoff = (now or utcnow()) - timedelta(days=UNCONFIRMED_KEEP_DAYS)
    result = db.session.execute(
        delete(PrivacyRequest)
        .where(PrivacyRequest.status == RequestStatus.RECEIVED, PrivacyRequest.received_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def daily_upkeep(now: datetime | None = None) -> dict[str, int]:
    """Both, for the current shop (call inside `tenant_scope`, commit afterwards: mail leaves with the commit)."""
    return {"reminded": remind_owners(now), "dropped": drop_unconfirmed(now)}
