"""Helpers of the dashboard and report tests: `Books` writes a shop's rows straight into its tables."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import update

from saas.appointments.models import Appointment, AppointmentStatus
from saas.core.extensions import db
from saas.core.tenancy import tenant_scope
from saas.core.tenant import Tenant
from saas.customers.models import Customer
from saas.invoicing.models import Invoice, InvoiceKind, InvoiceStatus
from saas.workorders.models import Approval, Job, Status, WorkOrder
from tests.factories import Ref

_numbers = itertools.count(1)


def stat(page: str, label: str) -> str:
    """The value of the stat card whose label starts with `label`."""
    match = re.search(r'<span class="stat-value">([^<]*)</span>\s*<span class="stat-label">' + re.escape(label), page)
    assert match, f"no stat {label!r} on the page"
    return match.group(1).strip()


class Books:
    """Writes one shop's work orders, jobs, invoices and appointments straight into its tables."""

    def __init__(self, app, shop: Ref, zone: str = "UTC"):
        self.app = app
        self.shop = shop
        self.zone = ZoneInfo(zone)
        with app.app_context():
            db.session.execute(update(Tenant).where(Tenant.id == shop.id).values(timezone=zone))
            db.session.commit()
        self.customer_id = self._add(Customer(name="Jane Customer", email="jane@example.com"))

    def _add(self, row) -> int:
        with self.app.app_context(), tenant_scope(self.shop.id):
            db.session.add(row)
            db.session.commit()
            return row.id

    def at(self, day: date, hour: int = 12, minute: int = 0) -> datetime:
        """A moment of `day` in the shop's own time."""
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone)

    def today(self) -> date:
        return datetime.now(self.zone).date()

    def work_order(self, status: str = Status.IN_PROGRESS) -> int:
        return self._add(WorkOrder(number=1000 + next(_numbers), customer_id=self.customer_id, status=status))

    def job(self, work_order_id: int, approval: str = Approval.PENDING, decided_at: datetime | None = None) -> int:
        return self._add(Job(work_order_id=work_order_id, title="Brake pads", approval=approval, decided_at=decided_at))

    def invoice(
        self,
        total: str,
        issued_at: datetime,
        *,
        work_order_id: int | None = None,
        kind: str = InvoiceKind.INVOICE,
        status: str = InvoiceStatus.ISSUED,
        tax: str = "0.00",
        paid: str = "0.00",
        bill_to: str = "Jane Customer",
        due_at: datetime | None = None,
    ) -> int:
        """An issued document, due 14 days after `issued_at` unless `due_at` says otherwise.

        A credit note's amounts are negative, as invoicing writes them.
        """
        amount = Decimal(total)
        return self._add(
            Invoice(
                kind=kind,
                number=next(_numbers),
                status=status,
                work_order_id=work_order_id,
                customer_id=self.customer_id,
                currency="USD",
                bill_to_name=bill_to,
                subtotal=amount - Decimal(tax),
                tax_total=Decimal(tax),
                total=amount,
                amount_paid=Decimal(paid),
                issued_at=issued_at,
                due_at=due_at or issued_at + timedelta(days=14),
            )
        )

    def appointment(self, starts_at: datetime, status: str = AppointmentStatus.CONFIRMED, minutes: int = 30) -> int:
        """An appointment of `minutes` real minutes (counted in UTC, so also across a DST change)."""
        return self._add(
            Appointment(
                customer_id=self.customer_id,
                starts_at=starts_at,
                ends_at=starts_at.astimezone(UTC) + timedelta(minutes=minutes),
                status=status,
            )
        )
