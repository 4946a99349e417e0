"""Inspection templates (a shop's checklists) and inspections done on work orders."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from saas.core.db import Base, TenantScoped, Timestamped, belongs_to, has_many, tenant_fk


class Rating(StrEnum):
    """How an inspected item looks."""

    GOOD = "good"
    NEEDS_ATTENTION = "needs_attention"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class InspectionStatus(StrEnum):
    """An inspection is being filled in, or finished (its findings became recommended jobs)."""

    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


class InspectionTemplate(TenantScoped, Timestamped, Base):
    """A shop's checklist, e.g. "Brakes, tyres, fluids, lights" or "Phone intake check"."""

    __tablename__ = "inspection_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")

    items: Mapped[list[InspectionTemplateItem]] = has_many(
        "InspectionTemplateItem",
        "InspectionTemplate",
        "template_id",
        order_by="InspectionTemplateItem.position, InspectionTemplateItem.id",
    )


class InspectionTemplateItem(TenantScoped, Base):
    """One point of a checklist."""

    __tablename__ = "inspection_template_items"
    __table_args__ = (
        tenant_fk("template_id", "inspection_templates", ondelete="CASCADE"),
        Index("ix_inspection_template_items_tenant_id_template_id", "tenant_id", "template_id"),
    )

    template_id: Mapped[int] = mapped_column(BigInteger)
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)


class Inspection(TenantScoped, Timestamped, Base):
    """A checklist filled in for one work order; its items are copied from the template when it starts."""

    __tablename__ = "inspections"
    __table_args__ = (
        tenant_fk("work_order_id", "work_orders", ondelete="CASCADE"),
        tenant_fk("created_by_id", "users"),
        tenant_fk("finished_by_id", "users"),
        Index("ix_inspections_tenant_id_work_order_id", "tenant_id", "work_order_id"),
    )

    work_order_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(120))  # the template's name when it started
    status: Mapped[str] = mapped_column(String(20), default=InspectionStatus.IN_PROGRESS)
    created_by_id: Mapped[int | None] = mapped_column(BigInteger)
    finished_by_id: Mapped[int | None] = mapped_column(BigInteger)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    work_order = belongs_to("WorkOrder", "Inspection", "work_order_id")
    items: Mapped[list[InspectionItem]] = has_many(
        "InspectionItem", "Inspection", "inspection_id", order_by="InspectionItem.position, InspectionItem.id"
    )

    @property
    def finished(self) -> bool:
        return self.status == InspectionStatus.FINISHED


class InspectionItem(TenantScoped, Base):
    """One point of an inspection: its rating, notes and photos (documents of kind photo)."""

    __tablename__ = "inspection_items"
    __table_args__ = (
        tenant_fk("inspection_id", "inspections", ondelete="CASCADE"),
        Index("ix_inspection_items_tenant_id_inspection_id", "tenant_id", "inspection_id"),
    )

    inspection_id: Mapped[int] = mapped_column(BigInteger)
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text, default="")
    # The recommended job finishing made from this item. No foreign key on purpose: staff may
    # delete that job from the work order (ids are never reused, so a stale id matches nothing).
    job_id: Mapped[int | None] = mapped_column(BigInteger)

    photos = has_many("Document", "InspectionItem", "inspection_item_id", order_by="Document.created_at, Document.id")

    @property
    def rating_label(self) -> str:
        return Rating(self.rating).label if self.rating in set(Rating) else "Not rated"
