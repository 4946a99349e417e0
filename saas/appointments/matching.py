"""Who books online: what a visitor types, matched to the shop's customer and vehicle or device.

A visitor is the shop's customer with the same e-mail (else phone number); their vehicle is the
one with the same plate or VIN (a device: serial, else the same description). What is not found
is created through the customers feature, with its rules. Nothing the shop knows is overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from saas.appointments.errors import AppointmentError
from saas.core.extensions import db
from saas.customers import phones
from saas.customers.models import Asset, AssetKind, Customer
from saas.customers.services import save_asset, save_customer, shop_country
from saas.customers.vin import clean_vin


@dataclass(frozen=True)
class BookingDetails:
    """What a customer types on the public booking page."""

    name: str
    email: str
    phone: str
    kind: str = AssetKind.VEHICLE
    plate: str = ""
    vin: str = ""
    make: str = ""
    model: str = ""
    device_type: str = ""
    serial: str = ""
    notes: str = ""
    age_confirmed: bool = False  # "I am at least N", where the shop asks (booking.age_to_confirm)


def _plate_key(plate: str | None) -> str:
    return re.sub(r"[^A-Z0-9]", "", (plate or "").upper())


def _serial_key(serial: str | None) -> str:
    return re.sub(r"[\s-]", "", (serial or "").upper())


def match_or_create_customer(name: str, email: str, phone: str) -> Customer:
    """The shop's customer with this e-mail, else with this phone number, else a new one."""
    email = (email or "").strip().lower()
    try:
        normalized = phones.normalize_phone(phone, shop_country())
    except phones.InvalidPhoneError as error:
        raise AppointmentError(str(error), field="phone") from None
    live = Customer.anonymized_at.is_(None)
    customer = None
    if email:
        customer = db.session.scalar(
            select(Customer).where(live, func.lower(Customer.email) == email).order_by(Customer.id).limit(1)
        )
    if customer is None and normalized:
        customer = db.session.scalar(
            select(Customer).where(live, Customer.phone == normalized).order_by(Customer.id).limit(1)
        )
    if customer is None:
        return save_customer(None, name=name.strip(), email=email, phone=normalized, notes="")
    # Fill in what the shop did not know yet; never overwrite what it has.
    customer.email = customer.email or email or None
    customer.phone = customer.phone or normalized
    db.session.flush()
    return customer


def match_or_create_asset(customer: Customer, details: BookingDetails) -> Asset:
    """The customer's vehicle with this plate or VIN (device: serial), else a new one."""
    kind = details.kind if details.kind in set(AssetKind) else AssetKind.VEHICLE
    query = select(Asset).where(Asset.customer_id == customer.id, Asset.kind == kind).order_by(Asset.id).limit(1)
    conditions = []
    if kind == AssetKind.VEHICLE:
        if clean_vin(details.vin):
            conditions.append(func.upper(Asset.vin) == clean_vin(details.vin))
        if _plate_key(details.plate):
            plate_column = func.regexp_replace(func.upper(Asset.plate), "[^A-Z0-9]", "", "g")
            conditions.append(plate_column == _plate_key(details.plate))
    elif _serial_key(details.serial):
        serial_column = func.regexp_replace(func.upper(Asset.serial), r"[\s-]", "", "g")
        conditions.append(serial_column == _serial_key(details.serial))
    if not conditions and kind == AssetKind.DEVICE:
        # A device without a serial: the same description is the same device.
        conditions.append(
            (func.lower(Asset.make) == details.make.strip().lower())
            & (func.lower(Asset.model) == details.model.strip().lower())
            & (func.lower(func.coalesce(Asset.device_type, "")) == details.device_type.strip().lower())
        )
    found = db.session.scalar(query.where(or_(*conditions))) if conditions else None
    if found is not None:
        found.make = found.make or details.make.strip()[:60]
        found.model = found.model or details.model.strip()[:60]
        db.session.flush()
        return found
    return save_asset(
        None,
        customer,
        kind=kind,
        make=details.make[:60],
        model=details.model[:60],
        vin=details.vin,
        plate=details.plate,
        device_type=details.device_type,
        serial=details.serial,
    )
