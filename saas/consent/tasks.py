"""Consent proof is kept as long as it can be needed, then deleted: nightly, per shop and for the public site.

A consent lasts CONSENT_MAX_AGE_DAYS; its proof is kept CONSENT_RECORD_DAYS (default three years:
long enough to answer a complaint about a choice made under an old policy) and then goes.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete

from saas.consent.models import CookieConsent, PlatformCookieConsent
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tasks.registry import task
from saas.core.tasks.shops import fan_out, run_as_shop

log = logging.getLogger(__name__)

FAN_OUT_TASK = "consent.prune_records_fan_out"
SHOP_TASK = "consent.prune_records_for_shop"


def _cutoff():
    return utcnow() - timedelta(days=int(current_app.config.get("CONSENT_RECORD_DAYS") or 3 * 365))


def prune_shop_records() -> int:
    """Delete the current shop's consent records older than CONSENT_RECORD_DAYS; returns how many."""
    return db.session.execute(delete(CookieConsent).where(CookieConsent.given_at < _cutoff())).rowcount


@task(FAN_OUT_TASK, cron="25 3 * * *")
def fan_out_record_pruning(timestamp: int | None = None) -> int:
    """Nightly: the public site's old records go now; one job per shop deletes the shop's."""
    deleted = db.session.execute(delete(PlatformCookieConsent).where(PlatformCookieConsent.given_at < _cutoff()))
    log.info("consent records of the public site: %d old one(s) deleted", deleted.rowcount)
    return fan_out(SHOP_TASK, "consent: list the shops whose old consent records to delete", include_suspended=True)


@task(SHOP_TASK)
def prune_records_for_shop(tenant_id: int) -> int:
    """Delete one shop's consent records that are past their keeping period."""
    return run_as_shop(tenant_id, prune_shop_records)
