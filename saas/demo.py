"""`flask demo seed`: a platform admin and a demo shop full of realistic data (once).

The demo shop gets staff, a few hundred customers with vehicles and devices, work orders
in every status spread over the last months, estimates answered online, invoices and
payments, canned jobs, opening hours, bookable services and this week's appointments —
enough to judge the UI at a glance. Everything goes through the features' services, so
the data obeys the same rules as data typed in by hand.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import click
from flask.cli import AppGroup
from sqlalchemy import update

from saas.appointments import booking, schedule
from saas.appointments.errors import AppointmentError
from saas.auth import services as auth
from saas.auth.roles import Role
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.core.tenant import Tenant
from saas.customers.services import save_asset, save_customer
from saas.invoicing.models import Invoice, Payment
from saas.invoicing.operations import issue_invoice, record_payment
from saas.onboarding.services import create_tenant
from saas.onboarding.subdomains import shop_exists
from saas.platform.admins import create_admin, find_admin
from saas.workorders import jobs as work_order_jobs
from saas.workorders import services as workorders
from saas.workorders.canned import add_canned_line, save_canned_job
from saas.workorders.models import Approval, Job, Status, WorkOrder, WorkOrderEvent

demo_cli = AppGroup("demo", help="Demo data for the embedded default.")

DEMO_SUBDOMAIN = "demo"
ADMIN_LOGIN = ("admin@workbay.example.com", "workbay-admin-pass")
# The demo admin has no second factor yet: its first login at the console sets one up (an authenticator app).
ADMIN_FIRST_LOGIN_NOTE = "The platform admin's first login sets up its second factor (an authenticator app)."
STAFF_LOGINS = (
    ("owner@demo.example.com", "Olivia Owner", Role.OWNER),
    ("manager@demo.example.com", "Marco Manager", Role.MANAGER),
    ("advisor@demo.example.com", "Sam Advisor", Role.SERVICE_ADVISOR),
    ("tech@demo.example.com", "Theo Technician", Role.TECHNICIAN),
    ("tech2@demo.example.com", "Tara Torque", Role.TECHNICIAN),
)
DEMO_PASSWORD = "demo-shop-pass"
FIRST_NAMES = [
    "Ava",
    "Liam",
    "Mia",
    "Noah",
    "Emma",
    "Lucas",
    "Sofia",
    "Mateo",
    "Chloe",
    "Ethan",
    "Zoe",
    "Omar",
    "Hana",
    "Ravi",
    "Ines",
    "Jonas",
    "Priya",
    "Diego",
    "Lena",
    "Kofi",
    "Grace",
    "Yusuf",
    "Aiko",
    "Tomás",
    "Nadia",
    "Felix",
    "Amara",
    "Owen",
    "Leila",
    "Bruno",
]
LAST_NAMES = [
    "Garcia",
    "Nguyen",
    "Smith",
    "Miller",
    "Rossi",
    "Kowalski",
    "Okafor",
    "Tanaka",
    "Silva",
    "Dubois",
    "Johansson",
    "Patel",
    "Haddad",
    "O'Brien",
    "Novak",
    "Schmidt",
    "Kim",
    "Lopez",
    "Baker",
    "Ivanova",
]
VEHICLES = [
    ("Toyota", "Corolla"),
    ("Honda", "Civic"),
    ("Ford", "F-150"),
    ("Chevrolet", "Silverado"),
    ("Tesla", "Model 3"),
    ("Subaru", "Outback"),
    ("Nissan", "Rogue"),
    ("Jeep", "Wrangler"),
    ("Hyundai", "Elantra"),
    ("Volkswagen", "Golf"),
    ("BMW", "3 Series"),
    ("Kia", "Sportage"),
]
DEVICES = [
    ("phone", "Apple", "iPhone 13"),
    ("phone", "Samsung", "Galaxy S22"),
    ("laptop", "Dell", "XPS 13"),
    ("laptop", "Apple", "MacBook Air"),
    ("tablet", "Apple", "iPad Air"),
]
DEVICE_JOBS = ["Screen replacement"]
VEHICLE_CONCERNS = [
    "Grinding noise when braking",
    "Check engine light on",
    "Due for 30k service",
    "Oil change and rotation",
    "AC blows warm air",
    "Car pulls to the right",
    "Battery dies overnight",
    "Squeaky belt on cold start",
    "Coolant leak under the car",
]
DEVICE_CONCERNS = ["Cracked screen", "Battery drains fast", "Won't charge"]
CANNED_JOBS = {
    "Oil change (synthetic)": [
        ("labor", "Oil and filter change", "0.5", None, None),
        ("part", "Synthetic oil 5W-30 (qt)", "5", "8.50", "OIL-5W30"),
        ("part", "Oil filter", "1", "12.90", "FLT-OIL-01"),
        ("fee", "Shop supplies and disposal", "1", "6.00", None),
    ],
    "Front brake pads and rotors": [
        ("labor", "Replace front pads and rotors", "1.8", None, None),
        ("part", "Front brake pads (set)", "1", "89.00", "BRK-PAD-F"),
        ("part", "Front rotor", "2", "74.50", "BRK-ROT-F"),
    ],
    "Four-wheel alignment": [("labor", "Alignment, four wheels", "1.0", None, None)],
    "Battery replacement": [
        ("labor", "Test and replace battery", "0.4", None, None),
        ("part", "AGM battery 70Ah", "1", "189.00", "BAT-AGM-70"),
    ],
    "Screen replacement": [
        ("labor", "Replace display assembly", "1.0", None, None),
        ("part", "Display assembly", "1", "149.00", "SCR-OLED"),
    ],
}
VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]


def make_vin(rng: random.Random) -> str:
    """A made-up North American VIN with a correct check digit."""
    alphabet = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    body = [rng.choice("12345")] + [rng.choice(alphabet) for _ in range(16)]
    body[9] = rng.choice("KLMNPRS")  # model years 2019-2025
    total = sum(VIN_VALUES[char] * weight for char, weight in zip(body, VIN_WEIGHTS, strict=True))
    body[8] = "X" if total % 11 == 10 else str(total % 11)
    return "".join(body)


def seed_demo(customers: int = 300, work_orders: int = 320) -> bool:
    """Create the demo data unless it exists; returns True when something was created."""
    created = False
    if find_admin(ADMIN_LOGIN[0]) is None:
        create_admin(ADMIN_LOGIN[0], "Platform Admin", ADMIN_LOGIN[1])
        created = True
    if not shop_exists(DEMO_SUBDOMAIN):
        tenant = create_tenant("Demo Auto & Device Repair", DEMO_SUBDOMAIN, "US")
        tenant.address, tenant.phone, tenant.email = (
            "100 Main Street\nSpringfield, IL 62701",
            "+12175550100",
            "hello@demo.example.com",
        )
        tenant.tax_rate_parts, tenant.tax_rate_fees, tenant.timezone = (
            Decimal("0.0825"),
            Decimal("0.0825"),
            "America/Chicago",
        )
        with tenant_scope(tenant.id):
            staff = []
            for email, name, role in STAFF_LOGINS:
                user = auth.create_user(email, name, DEMO_PASSWORD, role)
                user.email_verified_at = utcnow()
                staff.append(user)
            seed_shop_activity(tenant, staff, customers=customers, work_orders=work_orders, rng=random.Random(7))
        created = True
    db.session.commit()
    return created


def seed_shop_activity(
    tenant: Tenant, staff: list, *, customers: int, work_orders: int, rng: random.Random, appointments: bool = True
) -> None:
    """Fill the current shop with customers, assets, work orders, invoices, payments, appointments."""
    owner = staff[0]
    technicians = [user for user in staff if user.role == Role.TECHNICIAN] or [owner]
    canned = _seed_canned_jobs()
    people = []
    for number in range(customers):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        customer = save_customer(
            None,
            name=f"{first} {last}",
            email=f"{first}.{last}.{number}@example.com".lower().replace("'", "").replace("á", "a"),
            phone=f"+1 217 555 {number % 10000:04d}",
            notes="",
            address=f"{rng.randint(1, 999)} {rng.choice(['Oak', 'Elm', 'Maple', 'Cedar'])} St\nSpringfield, IL",
            marketing_consent=rng.random() < 0.3,
        )
        if rng.random() < 0.8:
            make, model = rng.choice(VEHICLES)
            asset = save_asset(
                None,
                customer,
                kind="vehicle",
                make=make,
                model=model,
                vin=make_vin(rng),
                plate=f"{rng.choice('ABCDEFGHJK')}{rng.choice('LMNPRSTUVW')}{rng.randint(1000, 9999)}",
                plate_region="IL",
                odometer=rng.randint(8000, 160000),
            )
        else:
            device_type, make, model = rng.choice(DEVICES)
            asset = save_asset(
                None,
                customer,
                kind="device",
                device_type=device_type,
                make=make,
                model=model,
                serial=f"SN{rng.randint(10**9, 10**10 - 1)}",
            )
        people.append((customer, asset))
    _seed_work_orders(tenant, owner, technicians, people, canned, work_orders, rng)
    if appointments:
        _seed_calendar(people, rng)


def _seed_canned_jobs() -> dict:

    templates = {}
    for title, lines in CANNED_JOBS.items():
        canned = save_canned_job(None, title=title, description="")
        for kind, description, quantity, price, part_number in lines:
            add_canned_line(
                canned,
                kind=kind,
                description=description,
                quantity=quantity,
                unit_price=price,
                part_number=part_number,
                unit_cost=None,
                labor_rate=Decimal("120.00"),
            )
        templates[title] = canned
    return templates


def _seed_work_orders(tenant, owner, technicians, people, canned, count, rng) -> None:
    """Work orders over the last ~12 weeks: older ones invoiced and paid, recent ones in progress."""
    now = utcnow()
    flow = [Status.APPROVED, Status.IN_PROGRESS, Status.READY]
    for index in range(count):
        customer, asset = rng.choice(people)
        age = timedelta(days=84 * (1 - index / count), hours=rng.randint(0, 9))
        work_order = workorders.create_work_order(
            customer_id=customer.id,
            asset_id=asset.id,
            concern=rng.choice(DEVICE_CONCERNS if asset.kind == "device" else VEHICLE_CONCERNS),
            technician_ids=[rng.choice(technicians).id],
            created_by=owner,
            odometer_in=(asset.odometer or 0) + rng.randint(100, 3000) if asset.kind == "vehicle" else None,
            promised_at=now + timedelta(hours=rng.randint(2, 72)) if age.days < 3 else None,
        )
        fitting = DEVICE_JOBS if asset.kind == "device" else sorted(set(canned) - set(DEVICE_JOBS))
        for title in rng.sample(fitting, k=rng.randint(1, min(3, len(fitting)))):
            work_order_jobs.add_canned_job(work_order, canned[title].id)
        jobs = list(db.session.scalars(db.select(Job).where(Job.work_order_id == work_order.id)))
        recent = age.days < 4
        target = (
            rng.choice([Status.ESTIMATE, Status.APPROVED, Status.IN_PROGRESS, Status.WAITING_FOR_PARTS, Status.READY])
            if recent
            else Status.READY
        )
        if target != Status.ESTIMATE:
            for position, job in enumerate(jobs):
                declined = position > 0 and rng.random() < 0.25
                job.approval = Approval.DECLINED if declined else Approval.APPROVED
                job.decided_at = now - age + timedelta(hours=2)
            for step in (
                flow[: flow.index(target) + 1] if target in flow else [Status.APPROVED, Status.IN_PROGRESS, target]
            ):
                workorders.change_status(work_order, step, owner)
        if not recent:
            invoice = issue_invoice(work_order, shop=tenant, user=owner)
            if rng.random() < 0.85:
                record_payment(
                    invoice, amount=invoice.total, method=rng.choice(["card", "card", "cash", "check"]), user=owner
                )
            if rng.random() < 0.9:
                workorders.change_status(work_order, Status.CLOSED, owner)
            _backdate(invoice, now - age + timedelta(days=1))
        _backdate_work_order(work_order, now - age)


def _backdate(invoice, when: datetime) -> None:
    """Give a demo invoice (and its payments) a date in the past, bypassing the immutability guard."""
    db.session.execute(
        update(Invoice).where(Invoice.id == invoice.id).values(issued_at=when, due_at=when + timedelta(days=14))
    )
    db.session.execute(
        update(Payment).where(Payment.invoice_id == invoice.id).values(received_at=when + timedelta(days=2))
    )


def _backdate_work_order(work_order, when: datetime) -> None:
    """Give a demo work order (and its history) a date in the past."""
    db.session.execute(update(WorkOrder).where(WorkOrder.id == work_order.id).values(created_at=when, updated_at=when))
    db.session.execute(
        update(WorkOrderEvent).where(WorkOrderEvent.work_order_id == work_order.id).values(created_at=when)
    )


def _seed_calendar(people, rng) -> None:
    """Opening hours Mon-Fri 8-17 and Sat 9-13, three services, appointments this week and next."""
    schedule.save_opening_hours(
        [
            schedule.DayHours(day, day < 6, time(8) if day < 5 else time(9), time(17) if day < 5 else time(13))
            for day in range(7)
        ]
    )
    services = [
        schedule.save_service(
            None, name=name, description=description, duration_minutes=minutes, online=True, active=True
        )
        for name, description, minutes in (
            ("Oil change", "About 30 minutes, while you wait.", 30),
            ("Brake inspection", "We check pads, rotors and fluid.", 60),
            ("Device diagnosis", "Bring your phone or laptop.", 30),
        )
    ]
    today = datetime.now(UTC).replace(hour=14, minute=0, second=0, microsecond=0)  # 8:00 in Chicago
    for offset in range(-2, 10):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for slot in sorted(rng.sample(range(0, 16), k=rng.randint(2, 5))):
            customer, asset = rng.choice(people)
            try:
                booking.create_appointment(
                    customer=customer,
                    asset=asset,
                    service=rng.choice(services),
                    starts_at=day + timedelta(minutes=30 * slot),
                    now=day - timedelta(days=7),
                )
            except AppointmentError:
                continue  # overlapping pick: leave the slot empty


def demo_logins() -> list[tuple[str, str, str]]:
    """(where, e-mail, password) for the printed welcome."""
    return [("platform", *ADMIN_LOGIN)] + [(role.label, email, DEMO_PASSWORD) for email, _, role in STAFF_LOGINS]


@demo_cli.command("seed")
@click.option("--customers", default=300, show_default=True, help="How many demo customers.")
@click.option("--work-orders", default=320, show_default=True, help="How many demo work orders.")
def seed_command(customers: int, work_orders: int):
    """Seed the demo shop and a platform admin (does nothing when they exist)."""
    if seed_demo(customers, work_orders):
        click.echo("Demo data created.")
    else:
        click.echo("Demo data already present; nothing to do.")
    for where, email, password in demo_logins():
        click.echo(f"  {where:<16} {email:<30} {password}")


BENCH_PASSWORD = "bench-password"


def seed_bench_shops(shops: int, customers: int) -> None:
    """For bench/: shop "bench" with `customers` customers (and as many work orders), plus
    `shops - 1` other shops a tenth that size, so the measured shop shares the database."""
    rng = random.Random(11)
    for index in range(shops):
        subdomain = "bench" if index == 0 else f"other{index}"
        size = customers if index == 0 else max(1, customers // 10)
        tenant = create_tenant(f"Bench shop {index}", subdomain, "US")
        with tenant_scope(tenant.id):
            owner = auth.create_user(f"owner@{subdomain}.example.com", "Bench Owner", BENCH_PASSWORD, Role.OWNER)
            tech = auth.create_user(f"tech@{subdomain}.example.com", "Bench Tech", BENCH_PASSWORD, Role.TECHNICIAN)
            seed_shop_activity(tenant, [owner, tech], customers=size, work_orders=size, rng=rng)
        db.session.commit()
