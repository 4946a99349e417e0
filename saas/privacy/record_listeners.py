"""How the shop's privacy settings, policy and records plug into the features below: the age online
booking asks for, the settings page's privacy card, a customer's page and data export."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from saas.appointments import signals as booking_signals
from saas.core.extensions import db
from saas.core.panels import Panel
from saas.customers import signals as customer_signals
from saas.customers.export import row
from saas.customers.models import Customer
from saas.privacy.shop_models import MarketingReconfirmation
from saas.privacy.shop_settings import booking_age_to_confirm
from saas.settings import signals as settings_signals


@booking_signals.booking_age_asked.connect
def _booking_age(shop, **details) -> int | None:
    return booking_age_to_confirm()


@settings_signals.page_panels.connect
def _privacy_card(shop, user, **details) -> Panel | None:
    if not user.can("privacy.manage"):
        return None
    return Panel("privacy/shop_privacy/_settings_card.html", {}, order=20)


def _reconfirmations_of(customer: Customer) -> list[MarketingReconfirmation]:
    return list(
        db.session.scalars(
            select(MarketingReconfirmation)
            .options(selectinload(MarketingReconfirmation.policy_version))
            .where(MarketingReconfirmation.customer_id == customer.id)
            .order_by(MarketingReconfirmation.requested_at, MarketingReconfirmation.id)
        )
    )


@customer_signals.page_panels.connect
def _waiting_reconfirmation(customer: Customer, user, **details) -> Panel | None:
    waiting = [request for request in _reconfirmations_of(customer) if request.answer is None]
    if not waiting or customer.marketing_consent:
        return None
    return Panel("privacy/shop_privacy/_customer_reconfirmation.html", {"request": waiting[-1]}, order=90)


@customer_signals.data_exported.connect
def _reconfirmations_export(customer: Customer, **details) -> dict:
    return {
        "marketing_reconfirmations": [
            {
                **row(request, "id", "consent_given_at", "consent_source", "requested_at", "answer", "answered_at"),
                "policy_version": request.policy_version.version if request.policy_version else None,
            }
            for request in _reconfirmations_of(customer)
        ]
    }
