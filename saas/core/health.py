"""`GET /healthz`: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from saas.core.extensions import csrf, db

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


def healthz(shop: str | None = None):
    """Load balancers call this on any host; it touches nothing but `SELECT 1`."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("health check: database unreachable: %s", error.__class__.__name__)
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


bp.add_url_rule("/healthz", view_func=healthz)
bp.add_url_rule("/healthz", view_func=healthz, subdomain="<shop>")
csrf.exempt(bp)
