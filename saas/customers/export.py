"""One customer's data as JSON: what the shop holds about them, in a machine-readable form.

This answers a customer's request to see or take their data (access, portability). It holds
their contact record, vehicles and devices, appointments, work orders with jobs, lines and
signed estimate approvals, invoices with lines, and payments. The shop's own figures (part
costs) are left out.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from saas.appointments.models import Appointment
from saas.core.db import utcnow
from saas.core.extensions import db
from saas.customers.models import Customer
from saas.invoicing.models import Invoice
from saas.workorders.models import EstimateApproval, Job, WorkOrder

FORMAT = "workbay.customer-export"
VERSION = 1


def _value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _row(obj, *columns: str) -> dict:
    return {column: _value(getattr(obj, column)) for column in columns}


def customer_export(customer: Customer, shop_name: str) -> dict:
    """A JSON-ready dict of everything about `customer` (a fixed number of queries)."""
    assets = customer.assets
    work_orders = db.session.scalars(
        select(WorkOrder)
        .options(selectinload(WorkOrder.jobs).selectinload(Job.lines))
        .where(WorkOrder.customer_id == customer.id)
        .order_by(WorkOrder.created_at, WorkOrder.id)
    ).all()
    approvals: dict[int, list[EstimateApproval]] = {}
    if work_orders:
        for approval in db.session.scalars(
            select(EstimateApproval)
            .where(EstimateApproval.work_order_id.in_([wo.id for wo in work_orders]))
            .order_by(EstimateApproval.created_at)
        ):
            approvals.setdefault(approval.work_order_id, []).append(approval)
    invoices = db.session.scalars(
        select(Invoice)
        .options(selectinload(Invoice.lines), selectinload(Invoice.payments))
        .where(Invoice.customer_id == customer.id)
        .order_by(Invoice.issued_at, Invoice.id)
    ).all()
    appointments = db.session.scalars(
        select(Appointment)
        .options(selectinload(Appointment.service))
        .where(Appointment.customer_id == customer.id)
        .order_by(Appointment.starts_at)
    ).all()
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utcnow().isoformat(),
        "shop": shop_name,
        "customer": _row(
            customer,
            "id",
            "name",
            "email",
            "phone",
            "address",
            "notes",
            "preferred_contact",
            "marketing_consent",
            "marketing_consent_at",
            "marketing_consent_source",
            "created_at",
            "updated_at",
        ),
        "assets": [
            _row(
                asset,
                "id",
                "kind",
                "make",
                "model",
                "year",
                "vin",
                "plate",
                "plate_region",
                "odometer",
                "device_type",
                "serial",
                "notes",
                "created_at",
            )
            for asset in assets
        ],
        "appointments": [
            {
                **_row(appointment, "id", "asset_id", "starts_at", "ends_at", "status", "source", "notes"),
                "service": appointment.service.name if appointment.service else None,
            }
            for appointment in appointments
        ],
        "work_orders": [
            {
                **_row(
                    wo,
                    "id",
                    "number",
                    "asset_id",
                    "status",
                    "concern",
                    "diagnosis",
                    "internal_notes",
                    "odometer_in",
                    "promised_at",
                    "created_at",
                    "estimate_sent_at",
                ),
                "jobs": [
                    {
                        **_row(job, "id", "title", "approval", "decided_at", "recommended", "notes"),
                        "lines": [
                            _row(line, "kind", "description", "part_number", "quantity", "unit_price", "tax_category")
                            for line in job.lines
                        ],
                    }
                    for job in wo.jobs
                ],
                "estimate_approvals": [
                    _row(
                        approval,
                        "estimate_version",
                        "signed_name",
                        "ip_address",
                        "user_agent",
                        "approved_total",
                        "declined_total",
                        "decisions",
                        "created_at",
                    )
                    for approval in approvals.get(wo.id, [])
                ],
            }
            for wo in work_orders
        ],
        "invoices": [
            {
                **_row(
                    invoice,
                    "id",
                    "kind",
                    "number",
                    "status",
                    "work_order_id",
                    "credited_invoice_id",
                    "currency",
                    "bill_to_name",
                    "bill_to_email",
                    "bill_to_address",
                    "subtotal",
                    "tax_total",
                    "total",
                    "amount_paid",
                    "issued_at",
                    "due_at",
                    "voided_at",
                    "void_reason",
                ),
                "lines": [
                    _row(line, "job_title", "kind", "description", "quantity", "unit_price", "tax_rate", "net_amount")
                    for line in invoice.lines
                ],
            }
            for invoice in invoices
        ],
        "payments": [
            {
                **_row(payment, "id", "invoice_id", "amount", "method", "reference", "received_at", "note"),
                "invoice_number": invoice.number,
                "currency": invoice.currency,
            }
            for invoice in invoices
            for payment in invoice.payments
        ],
    }
