"""Retention: how long a shop keeps each kind of data, applied by a daily job that leaves a log.

Each `Category` says what it covers, how its age is counted, its default period per country
(editable per shop as a `RetentionRule`), and what happens when the period is over (delete, or
erase the person while the law's records stay). A run (`run_retention`) skips every customer under
a legal hold (`LegalHold`) or with an open privacy request, writes a `RetentionRun` with the cutoff
and the counts of each category, and can be a dry run that only counts.

The default periods are the usual legal minimums where the law sets one (invoices) and prudent
choices where it does not; they are a starting point, which the owner confirms with their
accountant: the page says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Index,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from saas.appointments.models import Appointment
from saas.audit.models import AccessLogEntry
from saas.core.db import Base, TenantScoped, utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.storage import delete_after_commit
from saas.core.tenancy import active_tenant
from saas.customers.models import Asset, Customer
from saas.documents.models import Document
from saas.invoicing.models import Invoice
from saas.privacy import erasure, holds
from saas.privacy.request_queries import customer_ids_with_open_requests
from saas.workorders.models import WorkOrder
from saas.workorders.status import LOCKED


class RetentionError(ServiceError):
    """A retention setting or hold that cannot be saved; the message is safe to show."""


class RetentionRule(TenantScoped, Base):
    """A shop's own period for one category (the country default applies where there is none)."""

    __tablename__ = "retention_rules"
    __table_args__ = (UniqueConstraint("tenant_id", "category"),)

    category: Mapped[str] = mapped_column(String(40))
    period: Mapped[int] = mapped_column(Integer)  # in the category's unit (days or years)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class RetentionRun(TenantScoped, Base):
    """One run of the retention rules: when, how it was started, and per category the cutoff and counts."""

    __tablename__ = "retention_runs"
    __table_args__ = (Index("ix_retention_runs_tenant_id_started_at", "tenant_id", "started_at"),)

    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    dry_run: Mapped[bool] = mapped_column(Boolean)
    trigger: Mapped[str] = mapped_column(String(20))  # schedule | owner
    started_by_id: Mapped[int | None] = mapped_column(BigInteger)
    results: Mapped[list] = mapped_column(JSONB)  # [{"category", "label", "cutoff", "count"}]
    spared: Mapped[int] = mapped_column(Integer, default=0)  # customers skipped: on hold or with an open request

    @property
    def total(self) -> int:
        return sum(result["count"] for result in self.results)


# --- the categories ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """A kind of data with a retention period: what it covers and what happens once it is over."""

    key: str
    label: str
    unit: str  # "days" | "years"
    defaults: dict[str, int]  # by country; "*" for any other
    action: str  # what the run does, in words
    due: Callable[[datetime, set[int]], list]  # (cutoff, customer ids to spare) -> rows due
    apply: Callable[[list], None]

    def default_for(self, country: str) -> int:
        return self.defaults.get(country, self.defaults["*"])

    def cutoff(self, period: int, now: datetime) -> datetime:
        """The moment before which data is due. Years run from the end of the calendar year, as tax
        retention periods do (an invoice of March 2017 kept 8 years goes after 31 December 2025)."""
        if self.unit == "days":
            return now - timedelta(days=period)
        return datetime(now.year - period, 1, 1, tzinfo=now.tzinfo)


def _id_documents_due(cutoff: datetime, spared: set[int]) -> list[Document]:
    """ID cards and licences uploaded before the cutoff, unless their customer still has open work."""
    owner = func.coalesce(Document.customer_id, Asset.customer_id, WorkOrder.customer_id)
    open_work = select(WorkOrder.customer_id).where(WorkOrder.status.not_in([s.value for s in LOCKED]))
    recent_work = select(WorkOrder.customer_id).where(WorkOrder.updated_at >= cutoff)
    query = (
        select(Document, owner)
        .outerjoin(Asset, (Asset.tenant_id == Document.tenant_id) & (Asset.id == Document.asset_id))
        .outerjoin(WorkOrder, (WorkOrder.tenant_id == Document.tenant_id) & (WorkOrder.id == Document.work_order_id))
        .where(Document.sensitive.is_(True), Document.created_at < cutoff)
        .where(or_(owner.is_(None), owner.not_in(union(open_work, recent_work))))
    )
    return [document for document, customer_id in db.session.execute(query) if customer_id not in spared]


def _delete_documents(documents: list[Document]) -> None:
    for document in documents:
        delete_after_commit(document.storage_key)
        db.session.delete(document)


def _invoices_due(cutoff: datetime, spared: set[int]) -> list[Invoice]:
    query = select(Invoice).where(Invoice.issued_at < cutoff)
    if spared:
        query = query.where(Invoice.customer_id.not_in(spared))
    return list(db.session.scalars(query))


def _delete_invoices(invoices: list[Invoice]) -> None:
    # Past their legal retention, issued documents may go; lines and payments go with them (ON DELETE
    # CASCADE). A bulk delete: the guard against changing issued invoices watches the ORM's flushes.
    ids = [invoice.id for invoice in invoices]
    for batch in range(0, len(ids), 500):
        db.session.execute(delete(Invoice).where(Invoice.id.in_(ids[batch : batch + 500])))


def _inactive_customers_due(cutoff: datetime, spared: set[int]) -> list[Customer]:
    """Customers with no work order, invoice or appointment since the cutoff (and not new), not erased yet."""
    active = union(
        select(WorkOrder.customer_id).where(WorkOrder.updated_at >= cutoff),
        select(Invoice.customer_id).where(Invoice.issued_at >= cutoff, Invoice.customer_id.is_not(None)),
        select(Appointment.customer_id).where(Appointment.starts_at >= cutoff),
    )
    query = select(Customer).where(
        Customer.anonymized_at.is_(None), Customer.created_at < cutoff, Customer.id.not_in(active)
    )
    return [customer for customer in db.session.scalars(query) if customer.id not in spared]


def _erase_customers(customers: list[Customer]) -> None:
    for customer in customers:
        erasure.erase(customer)


def _access_log_due(cutoff: datetime, spared: set[int]) -> list[AccessLogEntry]:
    query = select(AccessLogEntry).where(AccessLogEntry.created_at < cutoff)
    if spared:
        query = query.where(or_(AccessLogEntry.subject_type != "customer", AccessLogEntry.subject_id.not_in(spared)))
    return list(db.session.scalars(query))


def _delete_access_log(entries: list[AccessLogEntry]) -> None:
    ids = [entry.id for entry in entries]
    for batch in range(0, len(ids), 500):
        db.session.execute(delete(AccessLogEntry).where(AccessLogEntry.id.in_(ids[batch : batch + 500])))


# Invoices: the usual tax-law minimum for keeping invoices (DE: 8 years for invoices since 2025, §147
# AO; FR: 10 years under the commercial code; GB: 6 years; US: 7 years covers the IRS's longest usual
# period of limitation; elsewhere 10 as a safe default). The owner adjusts to their own situation.
CATEGORIES: tuple[Category, ...] = (
    Category(
        "id_documents",
        "ID cards and driving licences",
        "days",
        {"*": 90},
        "deleted from storage, counted from the upload, once the customer has no open or recent work",
        _id_documents_due,
        _delete_documents,
    ),
    Category(
        "invoices",
        "Invoices and credit notes, with their payments",
        "years",
        {"DE": 8, "FR": 10, "GB": 6, "US": 7, "*": 10},
        "deleted after the end of the year they were issued plus the period",
        _invoices_due,
        _delete_invoices,
    ),
    Category(
        "inactive_customers",
        "Customers with no activity",
        "years",
        {"*": 6},
        "erased (as on request): invoices still within their own period stay",
        _inactive_customers_due,
        _erase_customers,
    ),
    Category(
        "access_log",
        "Access log of personal data",
        "years",
        {"*": 2},
        "entries deleted",
        _access_log_due,
        _delete_access_log,
    ),
)
BY_KEY = {category.key: category for category in CATEGORIES}
MAX_PERIOD = {"days": 3650, "years": 30}


# --- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """A category as it applies to the current shop."""

    category: Category
    period: int
    active: bool
    is_default: bool


def settings() -> list[Setting]:
    """Every category with the shop's period (its own, or its country's default)."""
    rules = {rule.category: rule for rule in db.session.scalars(select(RetentionRule))}
    country = active_tenant().country
    return [
        Setting(category, rules[category.key].period, rules[category.key].active, False)
        if category.key in rules
        else Setting(category, category.default_for(country), True, True)
        for category in CATEGORIES
    ]


def save_setting(key: str, period: int | None, active: bool) -> RetentionRule:
    """Set the shop's own period for a category (whole days or years, within sensible bounds)."""
    category = BY_KEY.get(key)
    if category is None:
        raise RetentionError("That is not a kind of data we keep.")
    if period is None or not 1 <= period <= MAX_PERIOD[category.unit]:
        raise RetentionError(f"Give a period of 1 to {MAX_PERIOD[category.unit]} {category.unit}.", field=key)
    rule = db.session.scalar(select(RetentionRule).where(RetentionRule.category == key))
    if rule is None:
        rule = RetentionRule(category=key)
        db.session.add(rule)
    rule.period, rule.active = period, active
    db.session.flush()
    return rule


# --- running ----------------------------------------------------------------------------------


# Customers no run touches: under a legal hold, or matched by a privacy request still open.
SPARED_HOOKS: tuple[Callable[[], set[int]], ...] = (holds.held_customer_ids, customer_ids_with_open_requests)


def spared_customer_ids() -> set[int]:
    """Customers whose data no run touches: under a legal hold, or with a privacy request still open."""
    return set().union(*(hook() for hook in SPARED_HOOKS))


def run_retention(*, dry_run: bool, trigger: str, user=None, now: datetime | None = None) -> RetentionRun:
    """Apply (or with `dry_run`, only count) every active category of the current shop; logged as a run."""
    now = now or utcnow()
    spared = spared_customer_ids()
    results = []
    for setting in settings():
        if not setting.active:
            continue
        cutoff = setting.category.cutoff(setting.period, now)
        due = setting.category.due(cutoff, spared)
        if due and not dry_run:
            setting.category.apply(due)
        results.append(
            {
                "category": setting.category.key,
                "label": setting.category.label,
                "cutoff": cutoff.isoformat(),
                "count": len(due),
            }
        )
    run = RetentionRun(
        dry_run=dry_run,
        trigger=trigger,
        started_by_id=user.id if user else None,
        results=results,
        spared=len(spared),
        started_at=now,
    )
    db.session.add(run)
    db.session.flush()
    return run


def recent_runs(limit: int = 20) -> list[RetentionRun]:
    """The shop's latest runs, newest first."""
    return list(
        db.session.scalars(
            select(RetentionRun).order_by(RetentionRun.started_at.desc(), RetentionRun.id.desc()).limit(limit)
        )
    )
