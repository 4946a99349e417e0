"""Helpers for appointment tests: shops with opening hours, services, customers with assets, appointments.

Rows are created through the app's services inside the shop's scope and committed, as real
requests would see them; appointments may also be written directly (e.g. in the past).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from saas.appointments import schedule
from saas.appointments.models import Appointment, AppointmentStatus, BookableService, OpeningHours
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.core.tenant import Tenant
from saas.customers.models import Asset, Customer
from saas.customers.services import save_asset
from tests.factories import Ref

EVERY_DAY = dict.fromkeys(range(7), ("08:00", "17:00"))


@contextmanager
def shop_session(app, tenant_id: int) -> Iterator:
    """The database session scoped to one shop, as in that shop's requests (or a worker's job)."""
    with app.test_request_context(), tenant_scope(tenant_id):
        yield db.session


def set_timezone(app, shop: Ref, zone: str) -> None:
    with shop_session(app, shop.id) as session:
        session.get(Tenant, shop.id).timezone = zone
        session.commit()


def set_shop_email(app, shop: Ref, email: str | None) -> None:
    with shop_session(app, shop.id) as session:
        session.get(Tenant, shop.id).email = email
        session.commit()


def set_hours(app, shop: Ref, hours: dict[int, tuple[str, str]] = EVERY_DAY) -> None:
    """Opening hours as {weekday: ("08:00", "17:00")}; other days closed."""
    with shop_session(app, shop.id) as session:
        schedule.save_opening_hours(
            schedule.DayHours(
                weekday,
                weekday in hours,
                time.fromisoformat(hours[weekday][0]) if weekday in hours else None,
                time.fromisoformat(hours[weekday][1]) if weekday in hours else None,
            )
            for weekday in range(7)
        )
        session.commit()


def add_service(
    app, shop: Ref, name: str = "Oil change", minutes: int = 60, online: bool = True, active: bool = True
) -> Ref:
    with shop_session(app, shop.id) as session:
        service = schedule.save_service(
            None, name=name, description="", duration_minutes=minutes, online=online, active=active
        )
        session.commit()
        return Ref(service.id, shop.id)


def add_customer(
    app, shop: Ref, name: str = "Jane Customer", email: str | None = "jane@example.com", plate: str | None = "ABC-123"
) -> tuple[Ref, Ref | None]:
    """A customer with (optionally) a vehicle: (customer, asset)."""
    from saas.customers.services import save_customer

    with shop_session(app, shop.id) as session:
        customer = save_customer(None, name=name, email=email, phone=None, notes="")
        asset = (
            save_asset(None, customer, kind="vehicle", make="Toyota", model="Corolla", plate=plate) if plate else None
        )
        session.commit()
        return Ref(customer.id, shop.id, email=email), (Ref(asset.id, shop.id) if asset else None)


def add_appointment(
    app,
    shop: Ref,
    customer: Ref,
    starts_at: datetime,
    minutes: int = 60,
    status: str = AppointmentStatus.CONFIRMED,
    service: Ref | None = None,
    asset: Ref | None = None,
    source: str = "staff",
) -> Ref:
    """An appointment written directly (no rules: it may be in the past)."""
    with shop_session(app, shop.id) as session:
        appointment = Appointment(
            customer_id=customer.id,
            asset_id=asset.id if asset else None,
            service_id=service.id if service else None,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            status=status,
            source=source,
            notes="",
        )
        session.add(appointment)
        session.commit()
        return Ref(appointment.id, shop.id)


def appointments_of(app, shop: Ref) -> list[dict]:
    with shop_session(app, shop.id) as session:
        return [
            {
                "id": a.id,
                "customer_id": a.customer_id,
                "asset_id": a.asset_id,
                "service_id": a.service_id,
                "starts_at": a.starts_at,
                "ends_at": a.ends_at,
                "status": a.status,
                "source": a.source,
                "notes": a.notes,
                "reminder_sent_at": a.reminder_sent_at,
            }
            for a in session.scalars(select(Appointment).order_by(Appointment.id))
        ]


def snapshot(app, shop: Ref) -> dict:
    """Everything of one shop that appointments touch, to compare before and after."""
    with shop_session(app, shop.id) as session:

        def rows(model):
            return [
                {column.key: getattr(row, column.key) for column in model.__table__.columns}
                for row in session.scalars(select(model).order_by(model.id))
            ]

        return {
            "appointments": rows(Appointment),
            "customers": rows(Customer),
            "assets": rows(Asset),
            "services": rows(BookableService),
            "hours": rows(OpeningHours),
        }


def local(shop_zone: str, day: date, at: str) -> datetime:
    """`day` at `at` in `shop_zone`, as UTC."""
    return datetime.combine(day, time.fromisoformat(at), tzinfo=ZoneInfo(shop_zone)).astimezone(UTC)


def shop_today(zone: str = "UTC") -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(zone)).date()


@pytest.fixture
def visitor(shop, shop_client):
    """Someone on acme's public booking page, not logged in."""
    return shop_client("acme")


@pytest.fixture
def open_shop(app, shop):
    """acme, open every day 08:00-17:00 (UTC), with an online 60-minute service."""
    set_hours(app, shop)
    return add_service(app, shop, "Oil change", 60)
