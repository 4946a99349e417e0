"""Making appointment rows: opening hours, services, customers with a vehicle, appointments; reading them back.

Rows are created through the app's services inside the shop's scope and committed, as real
requests would see them; appointments may also be written directly (e.g. in the past).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from saas.appointments import schedule
from saas.appointments.models import Appointment, AppointmentStatus, BookableService, OpeningHours
from saas.customers.models import Asset, Customer
from saas.customers.services import save_asset
from tests.factories import Ref
from tests.fixtures.database import shop_session
from tests.fixtures.shops import update_shop

EVERY_DAY = dict.fromkeys(range(7), ("08:00", "17:00"))


def set_timezone(app, shop: Ref, zone: str) -> None:
    """The shop's timezone (an IANA name)."""
    update_shop(app, shop.id, timezone=zone)


def set_shop_email(app, shop: Ref, email: str | None) -> None:
    """The shop's own e-mail address (None: it has none)."""
    update_shop(app, shop.id, email=email)


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


def booking_form(service, when, **overrides) -> dict:
    """The booking page's fields for `service` at `when`; an override of None leaves a field out."""
    data = {
        "service_id": service.id,
        "slot": when.isoformat(),
        "name": "Sam Driver",
        "email": "Sam@Example.com",
        "phone": "(555) 201-0100",
        "kind": "vehicle",
        "plate": "xyz 987",
        "make": "Honda",
        "model": "Civic",
        "notes": "Squeaky brakes",
        "consent": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
