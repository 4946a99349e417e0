"""A shop's deadline rules for privacy requests: GDPR's calendar month unless the shop says it is in California."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.tenancy import active_tenant, active_tenant_id
from saas.privacy.deadlines import Jurisdiction
from saas.privacy.request_models import PrivacyRequestSettings


class RequestSettingsError(ServiceError):
    """Deadline rules the shop cannot have (the message names why)."""


def jurisdictions_for(country: str) -> list[Jurisdiction]:
    """The rules a shop in `country` may choose: California's only for a shop in the United States."""
    return [Jurisdiction.GDPR, Jurisdiction.CCPA] if country == "US" else [Jurisdiction.GDPR]


def shop_jurisdiction() -> Jurisdiction:
    """The current shop's rules for new requests (GDPR's when it never chose)."""
    chosen = db.session.scalar(select(PrivacyRequestSettings.jurisdiction))
    return Jurisdiction(chosen) if chosen in set(Jurisdiction) else Jurisdiction.GDPR


def set_jurisdiction(jurisdiction: str) -> None:
    """Choose the rules for requests received from now on; requests already received keep theirs."""
    if jurisdiction not in jurisdictions_for(active_tenant().country):
        raise RequestSettingsError("Choose one of the rules offered for your shop's country.", field="jurisdiction")
    db.session.execute(
        insert(PrivacyRequestSettings)
        .values(tenant_id=active_tenant_id(), jurisdiction=jurisdiction)
        .on_conflict_do_update(
            index_elements=["tenant_id"], set_={"jurisdiction": jurisdiction, "updated_at": utcnow()}
        )
    )
