"""A shop's rows with a value in every column encrypted at rest, made the way the app makes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, text

from saas.appointments.models import Appointment, AppointmentStatus
from saas.core.crypto import encrypted_columns
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.customers.services import save_asset, save_customer
from saas.privacy.holds import place_hold
from saas.privacy.request_models import PrivacyRequest
from saas.privacy.request_workflow import record_event
from saas.privacy.requests import submit_request
from saas.workorders.services import create_work_order

# What staff (or the person) wrote, by column: each must only ever be ciphertext in the database.
PLAIN = {
    "customers.notes": "Pays cash, disputes every second bill",
    "assets.notes": "Spare key hidden under the rear bumper",
    "work_orders.internal_notes": "Owner suspects the son drives it drunk",
    "appointments.notes": "Drops the car off before her chemo session",
    "privacy_requests.details": "My passport number is X1234567, please check",
    "privacy_requests.extension_reason": "The paper archive is back from storage next week",
    "privacy_requests.resolution": "Sent everything we hold by registered mail",
    "privacy_request_events.detail": "Called her back: she confirmed by phone",
    "legal_holds.reason": "Insurance fraud case 2026-118 with Acme Mutual",
}
# The factory's platform admins are enrolled with a known second-factor seed (tests.factories).
PLATFORM_COLUMNS = {"platform_admins.totp_secret"}


@dataclass(frozen=True)
class Sensitive:
    """Ids of what `sensitive_rows` made."""

    customer_id: int
    asset_id: int
    work_order_id: int
    appointment_id: int
    request_id: int


def sensitive_rows(app, tenant_id: int, email: str = "jane@example.com", prefix: str = "") -> Sensitive:
    """A customer with a vehicle, a work order, an appointment, a privacy request with an answer and
    a note, and a legal hold: every encrypted shop column gets `prefix` + its PLAIN text."""
    say = {column: prefix + value for column, value in PLAIN.items()}
    with app.test_request_context(), tenant_scope(tenant_id):
        customer = save_customer(None, name="Jane Private", email=email, phone=None, notes=say["customers.notes"])
        asset = save_asset(None, customer, kind="vehicle", make="Honda", model="Jazz", notes=say["assets.notes"])
        work_order = create_work_order(
            customer_id=customer.id, asset_id=asset.id, internal_notes=say["work_orders.internal_notes"]
        )
        starts = utcnow() + timedelta(days=3)
        appointment = Appointment(
            customer_id=customer.id,
            asset_id=asset.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            status=AppointmentStatus.CONFIRMED,
            source="staff",
            notes=say["appointments.notes"],
        )
        db.session.add(appointment)
        submit_request("access", email, say["privacy_requests.details"])
        request = db.session.scalar(select(PrivacyRequest).order_by(PrivacyRequest.id.desc()))
        request.extension_reason = say["privacy_requests.extension_reason"]
        request.resolution = say["privacy_requests.resolution"]
        record_event(request, "note", say["privacy_request_events.detail"])
        place_hold(customer, say["legal_holds.reason"])
        db.session.flush()
        made = Sensitive(customer.id, asset.id, work_order.id, appointment.id, request.id)
        db.session.commit()
        return made


def every_encrypted_column() -> set[str]:
    """`table.column` of every EncryptedString column in the models."""
    return {
        f"{table.name}.{column.name}" for table, columns in encrypted_columns(db.metadata).items() for column in columns
    }


def stored_values(superuser_engine, columns: set[str]) -> dict[str, list[str]]:
    """The non-empty values of `columns` as the database holds them (read past row-level security)."""
    stored = {}
    with superuser_engine.connect() as conn:
        for name in sorted(columns):
            table, column = name.split(".")
            stored[name] = list(conn.scalars(text(f"SELECT {column} FROM {table} WHERE coalesce({column}, '') <> ''")))
    return stored
