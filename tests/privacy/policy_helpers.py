"""Privacy tests (policies, records, age, access log): customers with marketing consent, publishing a
shop's policy through its page, reading versions and re-confirmations back, a shop with some of
everything for its record, access log entries at chosen times."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from saas.appointments.models import Appointment
from saas.audit.models import AccessLogEntry
from saas.customers.models import Asset, Customer
from saas.customers.services import save_customer, set_marketing_consent
from saas.documents.models import Document
from saas.invoicing.models import Invoice
from saas.privacy.shop_models import MarketingReconfirmation, ShopPolicyVersion
from saas.workorders.models import WorkOrder
from tests.factories import Ref
from tests.fixtures.database import shop_session

LINK = re.compile(r"https?://\S+/privacy/marketing/\S+")


def add_customer(app, shop: Ref, name: str, email: str | None = None, marketing: bool = False) -> Ref:
    """A customer of `shop`, who agreed to marketing (through the staff form) when `marketing`."""
    with shop_session(app, shop.id) as session:
        customer = save_customer(None, name=name, email=email, phone=None, notes="", marketing_consent=marketing)
        session.commit()
        return Ref(customer.id, shop.id, email=customer.email)


def customer_state(app, ref: Ref) -> dict:
    """A customer's marketing consent as stored now."""
    with shop_session(app, ref.tenant_id) as session:
        customer = session.get(Customer, (ref.tenant_id, ref.id))
        return {
            "consent": customer.marketing_consent,
            "at": customer.marketing_consent_at,
            "source": customer.marketing_consent_source,
        }


def anonymize(app, ref: Ref) -> None:
    """Mark a customer erased, as the privacy center's erasure does."""
    with shop_session(app, ref.tenant_id) as session:
        customer = session.get(Customer, (ref.tenant_id, ref.id))
        customer.anonymized_at = datetime.now(UTC)
        set_marketing_consent(customer, True, "before erasure")
        session.commit()


def seen_hash(page: str) -> str:
    """The draft's hash in the publish form of the owner's policy page."""
    return re.search(r'name="seen_hash" type="hidden" value="([0-9a-f]{64})"', page).group(1)


def publish(client, material: bool = False, summary: str = "", expect: int = 302):
    """Review the draft on the owner's policy page and publish it (the answer's status is checked)."""
    page = client.get("/settings/privacy/policy").get_data(as_text=True)
    data = {"seen_hash": seen_hash(page), "summary": summary}
    if material:
        data["material"] = "y"
    response = client.post("/settings/privacy/policy", data=data)
    assert response.status_code == expect, response.get_data(as_text=True)[:2000]
    return response


def save_settings(client, expect: int = 302, **fields):
    """Post the privacy settings page with its current defaults changed by `fields`."""
    data = {"booking_minimum_age": "18", "marketing_minimum_age": "", "policy_additions": ""}
    data.update({key: value for key, value in fields.items() if value is not None})
    response = client.post("/settings/privacy", data=data)
    assert response.status_code == expect, response.get_data(as_text=True)[:2000]
    return response


def versions_of(app, tenant_id: int) -> list[dict]:
    """The shop's published versions, oldest first."""
    with shop_session(app, tenant_id) as session:
        rows = session.scalars(select(ShopPolicyVersion).order_by(ShopPolicyVersion.version)).all()
        return [
            {
                "id": v.id,
                "version": v.version,
                "text": v.text,
                "text_hash": v.text_hash,
                "material": v.material,
                "summary": v.summary,
                "published_at": v.published_at,
                "notified_at": v.notified_at,
            }
            for v in rows
        ]


def reconfirmations_of(app, tenant_id: int) -> list[dict]:
    with shop_session(app, tenant_id) as session:
        rows = session.scalars(select(MarketingReconfirmation).order_by(MarketingReconfirmation.id)).all()
        return [
            {
                "customer_id": r.customer_id,
                "policy_version_id": r.policy_version_id,
                "consent_source": r.consent_source,
                "answer": r.answer,
            }
            for r in rows
        ]


def reconfirm_links(outbox, address: str) -> list[str]:
    """The re-confirmation links in the mail sent to `address`, oldest first."""
    return [LINK.search(m.get_content()).group(0) for m in outbox.messages if m["To"] == address]


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def seed_shop(app, shop: Ref, customers: int, marketing: int) -> dict[str, int]:
    """`customers` customers (the first `marketing` agreed to offers), each with a vehicle, a work order, an
    invoice and an appointment; two documents, one of them an ID. Returns what was written, by table."""
    with shop_session(app, shop.id) as session:
        offset = session.scalar(select(func.count()).select_from(Customer))  # seeding twice numbers on
        start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(days=offset)
        for n in range(customers):
            customer = save_customer(
                None,
                name=f"Seeded {n}",
                email=f"seeded{n}@example.com",
                phone=None,
                notes="",
                marketing_consent=n < marketing,
            )
            session.add(Asset(customer_id=customer.id, kind="vehicle", make="Ford", model="Focus", plate=f"S-{n}"))
            work_order = WorkOrder(number=offset + n + 1, customer_id=customer.id)
            session.add(work_order)
            session.flush()
            session.add(
                Invoice(
                    number=offset + n + 1,
                    work_order_id=work_order.id,
                    customer_id=customer.id,
                    currency="USD",
                    bill_to_name=customer.name,
                    subtotal=Decimal("10.00"),
                    tax_total=Decimal("0.00"),
                    total=Decimal("10.00"),
                    due_at=start,
                )
            )
            begins = start + timedelta(days=n)
            session.add(Appointment(customer_id=customer.id, starts_at=begins, ends_at=begins + timedelta(hours=1)))
            if n < 2:
                session.add(
                    Document(
                        kind="id_card" if n == 0 else "photo",
                        sensitive=n == 0,
                        filename=f"file{n}.jpg",
                        content_type="image/jpeg",
                        size_bytes=10,
                        storage_key=f"tenants/{shop.id}/photo/{uuid.uuid4().hex}",
                        customer_id=customer.id,
                    )
                )
        session.commit()
    return {
        "customers": customers,
        "assets": customers,
        "work_orders": customers,
        "invoices": customers,
        "appointments": customers,
        "documents": min(customers, 2),
    }


def log_entry(
    app,
    tenant_id: int,
    at: datetime,
    action: str = "view",
    customer_id: int | None = None,
    user_id: int | None = None,
    description: str = "seeded",
) -> None:
    """An access log entry written directly, at a chosen time."""
    with shop_session(app, tenant_id) as session:
        session.add(
            AccessLogEntry(
                action=action,
                subject_type="customer",
                subject_id=customer_id,
                user_id=user_id,
                description=description,
                ip_address="192.0.2.7",
                user_agent="Test browser",
                created_at=at,
            )
        )
        session.commit()


def access_log_rows(app, tenant_id: int) -> list[dict]:
    """The shop's access log, oldest first."""
    with shop_session(app, tenant_id) as session:
        rows = session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)).all()
        return [{"action": e.action, "subject_type": e.subject_type, "description": e.description} for e in rows]
