"""Rules for customers and their assets (vehicles and devices)."""

from __future__ import annotations

import re

from sqlalchemy import Select, delete, exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.tenancy import active_tenant
from saas.customers import phones, signals
from saas.customers.imei import imei_in, is_valid_imei
from saas.customers.models import Asset, AssetKind, ContactChannel, Customer
from saas.customers.vin import check_vin, clean_vin

STAFF_FORM = "staff form"


class CustomerError(ServiceError):
    """Input a customer or asset cannot take; `field` names the form field it belongs to, if any."""


def shop_country() -> str:
    """The current shop's country (ISO code): the default region for phone numbers."""
    tenant = active_tenant()
    return tenant.country if tenant is not None else phones.DEFAULT_REGION


# --- customers ---------------------------------------------------------------------------


def customer_search(term: str = "") -> Select:
    """Customers matching `term` in name, e-mail, phone, or a plate or VIN of theirs, by name.

    Assets are matched with EXISTS, so a customer with two matching cars appears once and
    pagination counts stay right. The page's assets come in one extra query (selectinload).
    """
    query = (
        select(Customer)
        .options(selectinload(Customer.assets))
        .where(Customer.anonymized_at.is_(None))  # an erased person never comes back in a search or list
        .order_by(Customer.name, Customer.id)
    )
    term = term.strip()
    if not term:
        return query
    conditions = [Customer.name.icontains(term, autoescape=True), Customer.email.icontains(term, autoescape=True)]
    conditions += [
        Customer.phone.contains(fragment) for fragment in phones.phone_search_fragments(term, shop_country())
    ]
    plate = re.sub(r"[^A-Z0-9]", "", term.upper())
    if plate:
        # Plates are compared without spaces and dashes; VINs also match by a part (often the last 6-8).
        plate_column = func.regexp_replace(func.upper(Asset.plate), "[^A-Z0-9]", "", "g")
        conditions.append(
            exists().where(
                Asset.customer_id == Customer.id,
                Asset.tenant_id == Customer.tenant_id,
                or_(plate_column.contains(plate, autoescape=True), Asset.vin.contains(plate, autoescape=True)),
            )
        )
    return query.where(or_(*conditions))


def save_customer(
    customer: Customer | None,
    *,
    name: str,
    email: str | None,
    phone: str | None,
    notes: str | None,
    address: str | None = None,
    preferred_contact: str | None = None,
    marketing_consent: bool | None = None,
    consent_source: str = STAFF_FORM,
) -> Customer:
    """Create a customer or update one; empty strings are stored as no value.

    The phone is normalized to E.164 in the shop's country. `address`, `preferred_contact` and
    `marketing_consent` left as None keep what the customer has. Marketing consent records when
    and how it was given; withdrawing it clears both.
    """
    try:
        normalized_phone = phones.normalize_phone(phone, shop_country())
    except phones.InvalidPhoneError as error:
        raise CustomerError(str(error), field="phone") from error
    if preferred_contact is not None and preferred_contact not in set(ContactChannel):
        raise CustomerError("Choose e-mail, phone call or text message.", field="preferred_contact")
    if customer is None:
        customer = Customer(marketing_consent=False, preferred_contact=ContactChannel.EMAIL.value, address="")
        db.session.add(customer)
    customer.name = name
    customer.email = (email or "").strip().lower() or None
    customer.phone = normalized_phone
    customer.notes = notes or ""
    if address is not None:
        customer.address = address.strip()
    if preferred_contact is not None:
        customer.preferred_contact = preferred_contact
    if marketing_consent is not None:
        set_marketing_consent(customer, marketing_consent, consent_source)
    db.session.flush()
    return customer


def set_marketing_consent(customer: Customer, consent: bool, source: str = STAFF_FORM) -> None:
    """Record a yes (when and how, kept while it stays yes) or a withdrawal (clears the record)."""
    if consent and not customer.marketing_consent:
        customer.marketing_consent = True
        customer.marketing_consent_at = utcnow()
        customer.marketing_consent_source = source[:60]
    elif not consent:
        customer.marketing_consent = False
        customer.marketing_consent_at = None
        customer.marketing_consent_source = None


PROCESSING_LIMITS = {"restriction": "processing_restricted_at", "objection": "objected_at"}


def set_processing_limit(customer: Customer, limit: str, on: bool) -> bool:
    """Set (from now) or lift a `restriction` of processing or an `objection` to it; True if it changed.

    While either is set, reminders and marketing skip the customer (`Customer.processing_limited`).
    """
    column = PROCESSING_LIMITS[limit]
    if on == (getattr(customer, column) is not None):
        return False
    setattr(customer, column, utcnow() if on else None)
    db.session.flush()
    return True


def load_customer(customer_id: int) -> Customer | None:
    """A customer with their vehicles and devices (two queries), or None."""
    return db.session.scalar(select(Customer).options(selectinload(Customer.assets)).where(Customer.id == customer_id))


# --- assets ------------------------------------------------------------------------------


def save_asset(
    asset: Asset | None,
    customer: Customer,
    *,
    kind: str,
    make: str | None = "",
    model: str | None = "",
    year: int | None = None,
    vin: str | None = None,
    plate: str | None = None,
    plate_region: str | None = None,
    odometer: int | None = None,
    device_type: str | None = None,
    serial: str | None = None,
    notes: str | None = "",
) -> Asset:
    """Add a vehicle or device to `customer`, or change one of theirs.

    A VIN must pass its check digit; its maker and model year fill `make` and `year` when
    those were left empty. A serial that looks like an IMEI (15 digits) must pass the Luhn check.
    Fields of the other kind are cleared, so a device never keeps a stale plate.
    """
    if kind not in set(AssetKind):
        raise CustomerError("Choose vehicle or device.", field="kind")
    make, model = (make or "").strip(), (model or "").strip()
    values: dict = {
        "vin": None,
        "plate": None,
        "plate_region": None,
        "odometer": None,
        "device_type": None,
        "serial": None,
    }
    if kind == AssetKind.VEHICLE:
        number = clean_vin(vin)
        if number:
            checked = check_vin(number, shop_country())
            if not checked.valid:
                raise CustomerError(checked.message, field="vin")
            make = make or (checked.make or "")[:60]
            year = year or checked.year
            values["vin"] = checked.vin
        values["plate"] = (plate or "").strip().upper() or None
        values["plate_region"] = (plate_region or "").strip() or None
        values["odometer"] = odometer
    else:
        serial = (serial or "").strip()
        found_imei = imei_in(serial)
        if found_imei is not None and not is_valid_imei(found_imei):
            raise CustomerError(
                "This looks like an IMEI (15 digits) but its last digit does not check out: please look for a typo.",
                field="serial",
            )
        values["serial"] = found_imei or serial or None
        values["device_type"] = (device_type or "").strip() or None
    if asset is None:
        asset = Asset(customer_id=customer.id)
        db.session.add(asset)
    asset.kind = kind
    asset.make, asset.model, asset.year = make, model, year
    asset.notes = notes or ""
    for column, value in values.items():
        setattr(asset, column, value)
    db.session.flush()
    return asset


ERASED_NAME = "Erased customer"


def erase_customer(customer: Customer) -> list[signals.ErasureNote]:
    """Erase a customer's personal data everywhere, keeping only what the law makes the shop keep.

    Each feature holding records of theirs erases its own (`signals.erasing`) and says what it
    kept and why; then the record itself is anonymized: no name, contact, notes or marketing
    consent, and their vehicles and devices lose what identifies them (VIN, plate, serial). The
    row stays, so invoices kept for tax law still point at "Erased customer #id".
    """
    if customer.anonymized_at is not None:
        raise CustomerError("This customer's data was already erased.", status=409)
    notes = [note for _, note in signals.erasing.send(customer) if note is not None]
    assets = db.session.execute(
        update(Asset)
        .where(Asset.customer_id == customer.id)
        .values(vin=None, plate=None, plate_region=None, serial=None, notes="")
    ).rowcount
    customer.name = f"{ERASED_NAME} #{customer.id}"
    customer.email = customer.phone = None
    customer.address = customer.notes = ""
    set_marketing_consent(customer, False)
    customer.anonymized_at = utcnow()
    db.session.flush()
    vehicles = f", and what identified their {assets} vehicles and devices" if assets else ""
    notes.insert(0, signals.ErasureNote("Customer record", erased=f"Name, e-mail, phone, address, notes{vehicles}"))
    return notes


def customer_history(customer: Customer) -> list[str]:
    """What the shop must keep about a customer (e.g. "3 invoices"), as the features holding it answer."""
    return [answer for _, answer in signals.history_asked.send(customer) if answer]


def delete_customer(customer: Customer) -> None:
    """Delete a customer entered by mistake, with their vehicles, devices and documents.

    A customer with work orders, invoices or appointments is history the shop keeps (tax law
    keeps invoices); deleting them is refused.
    """
    history = customer_history(customer)
    if history:
        raise CustomerError(
            f"{customer.name} has {', '.join(history)}; their record stays for your books and history.", status=409
        )
    signals.deleting.send(customer)
    db.session.execute(delete(Asset).where(Asset.customer_id == customer.id))
    db.session.delete(customer)
    db.session.flush()
