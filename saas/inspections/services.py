"""Rules for inspections: templates, rating items, photos, and turning findings into recommended jobs.

Services flush and never commit; the request layer commits once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import g
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage

from saas.core import limits
from saas.core.db import utcnow
from saas.core.errors import ServiceError
from saas.core.extensions import db
from saas.core.tenancy import active_tenant_id
from saas.documents import services as documents
from saas.documents.files import IMAGE_TYPES
from saas.documents.models import Document, DocumentKind
from saas.inspections.models import (
    Inspection,
    InspectionItem,
    InspectionStatus,
    InspectionTemplate,
    InspectionTemplateItem,
    Rating,
)
from saas.workorders import jobs as work_order_jobs
from saas.workorders.models import WorkOrder

NAME_MAX = 120
LABEL_MAX = 200
NOTES_MAX = 2000
FINDINGS = (Rating.NEEDS_ATTENTION, Rating.URGENT)


TEMPLATES_PERMISSION = "inspections.templates"
INSPECT_PERMISSION = "workorders.update_status"  # technicians inspect the cars they work on


class InspectionError(ServiceError):
    """A rule about inspections was broken; the message is safe to show."""


# --- templates ---------------------------------------------------------------------------------


def templates_query():
    """The shop's templates by name, with their items (two queries)."""
    return (
        select(InspectionTemplate)
        .options(selectinload(InspectionTemplate.items))
        .order_by(InspectionTemplate.name, InspectionTemplate.id)
    )


def _clean(text: str | None, limit: int, what: str) -> str:
    value = (text or "").strip()
    if not value:
        raise InspectionError(f"Give the {what} a name.")
    if len(value) > limit:
        raise InspectionError(f"The {what} can have at most {limit} characters.")
    return value


def create_template(name: str, items_text: str = "", description: str = "") -> InspectionTemplate:
    """A new checklist; `items_text` has one item per line."""
    name = _clean(name, NAME_MAX, "checklist")
    if db.session.scalar(select(func.count()).where(func.lower(InspectionTemplate.name) == name.lower())):
        raise InspectionError(f"There is already a checklist called “{name}”.", status=409)
    template = InspectionTemplate(name=name, description=(description or "").strip())
    db.session.add(template)
    db.session.flush()
    for line in (items_text or "").splitlines():
        if line.strip():
            add_template_item(template, line)
    return template


def add_template_item(template: InspectionTemplate, label: str) -> InspectionTemplateItem:
    """Add a point at the end of a checklist."""
    label = _clean(label, LABEL_MAX, "item")
    position = db.session.scalar(
        select(func.coalesce(func.max(InspectionTemplateItem.position), -1) + 1).where(
            InspectionTemplateItem.template_id == template.id
        )
    )
    item = InspectionTemplateItem(template_id=template.id, label=label, position=position)
    db.session.add(item)
    db.session.flush()
    return item


def delete_template_item(item: InspectionTemplateItem) -> None:
    """Remove a point from a checklist (inspections already started keep their copy)."""
    db.session.delete(item)
    db.session.flush()


def delete_template(template: InspectionTemplate) -> None:
    """Remove a checklist and its items (inspections already started keep their copy)."""
    db.session.execute(delete(InspectionTemplateItem).where(InspectionTemplateItem.template_id == template.id))
    db.session.delete(template)
    db.session.flush()


# --- inspections -------------------------------------------------------------------------------


def inspections_of(work_order_id: int) -> list[Inspection]:
    """A work order's inspections, newest first, with items loaded."""
    return list(
        db.session.scalars(
            select(Inspection)
            .where(Inspection.work_order_id == work_order_id)
            .options(selectinload(Inspection.items))
            .order_by(Inspection.created_at.desc(), Inspection.id.desc())
        )
    )


def start_inspection(work_order: WorkOrder, template: InspectionTemplate | None, user=None) -> Inspection:
    """Begin an inspection from a checklist: its items are copied, so later edits of the template do not move it."""
    if template is None:
        raise InspectionError("Pick a checklist.")
    limits.require("inspections")  # the plan may refuse: a page with an upgrade button
    items = list(
        db.session.scalars(
            select(InspectionTemplateItem)
            .where(InspectionTemplateItem.template_id == template.id)
            .order_by(InspectionTemplateItem.position, InspectionTemplateItem.id)
        )
    )
    if not items:
        raise InspectionError(f"The checklist “{template.name}” has no items yet; add some first.")
    inspection = Inspection(
        work_order_id=work_order.id,
        title=template.name,
        status=InspectionStatus.IN_PROGRESS,
        created_by_id=user.id if user is not None else None,
    )
    db.session.add(inspection)
    db.session.flush()
    for position, item in enumerate(items):
        db.session.add(InspectionItem(inspection_id=inspection.id, label=item.label, position=position, notes=""))
    db.session.flush()
    return inspection


def load_inspection(inspection_id: int) -> Inspection | None:
    """An inspection with its items, their photos and its work order (a fixed number of queries)."""
    return db.session.scalar(
        select(Inspection)
        .where(Inspection.id == inspection_id)
        .options(
            selectinload(Inspection.items).selectinload(InspectionItem.photos),
            selectinload(Inspection.work_order),
        )
    )


def _in_progress(inspection_id: int) -> Inspection:
    inspection = db.session.scalar(select(Inspection).where(Inspection.id == inspection_id).with_for_update())
    if inspection is None or inspection.finished:
        raise InspectionError("This inspection is finished; its items can no longer change.", status=409)
    return inspection


def rate_item(item: InspectionItem, rating: str | None, notes: str | None) -> InspectionItem:
    """Record how an item looks, with notes."""
    _in_progress(item.inspection_id)
    if rating not in set(Rating):
        raise InspectionError(f"Rate “{item.label}”: good, needs attention or urgent.")
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise InspectionError(f"Notes can have at most {NOTES_MAX} characters.")
    item.rating = rating
    item.notes = notes
    db.session.flush()
    return item


def add_photo(item: InspectionItem, upload: FileStorage | None, user=None) -> Document:
    """Attach a photo (JPEG, PNG, WebP or HEIC) to an item of an inspection in progress."""
    inspection = _in_progress(item.inspection_id)
    work_order = db.session.scalar(select(WorkOrder).where(WorkOrder.id == inspection.work_order_id))
    return documents.store_document(
        upload,
        kind=DocumentKind.PHOTO,
        uploaded_by=user,
        work_order=work_order,
        inspection_item_id=item.id,
        allowed=IMAGE_TYPES,
    )


def finish_inspection(inspection: Inspection, user=None) -> list:
    """Close the inspection; each item rated needs attention or urgent becomes a recommended job."""
    inspection = _in_progress(inspection.id)
    items = list(
        db.session.scalars(
            select(InspectionItem)
            .where(InspectionItem.inspection_id == inspection.id)
            .order_by(InspectionItem.position, InspectionItem.id)
        )
    )
    unrated = [item.label for item in items if item.rating not in set(Rating)]
    if unrated:
        raise InspectionError("Rate every item before finishing: " + ", ".join(unrated) + ".")
    work_order = db.session.scalar(select(WorkOrder).where(WorkOrder.id == inspection.work_order_id))
    jobs = []
    for item in items:
        if item.rating in FINDINGS and item.job_id is None:
            title = f"{item.label} (urgent)" if item.rating == Rating.URGENT else item.label
            try:
                job = work_order_jobs.add_job(work_order, title=title, notes=item.notes, recommended=True)
            except IntegrityError as error:  # pragma: no cover - a concurrent change of the work order
                raise InspectionError("The work order changed meanwhile; try again.", status=409) from error
            item.job_id = job.id
            jobs.append(job)
    inspection.status = InspectionStatus.FINISHED
    inspection.finished_at = utcnow()
    inspection.finished_by_id = user.id if user is not None else None
    db.session.flush()
    return jobs


# --- what the customer sees ----------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """An item of a finished inspection behind a recommended job, with its photos."""

    item: InspectionItem
    photos: list[Document]


def findings_by_job(work_order_id: int) -> dict[int, list[Finding]]:
    """{job id: findings with photos} for a work order's finished inspections (cached per request)."""
    cache = g.setdefault("_inspection_findings", {})
    if work_order_id not in cache:
        items = db.session.scalars(
            select(InspectionItem)
            .join(
                Inspection,
                (Inspection.tenant_id == InspectionItem.tenant_id) & (Inspection.id == InspectionItem.inspection_id),
            )
            .where(
                Inspection.work_order_id == work_order_id,
                Inspection.status == InspectionStatus.FINISHED,
                InspectionItem.job_id.is_not(None),
            )
            .options(selectinload(InspectionItem.photos))
            .order_by(InspectionItem.position, InspectionItem.id)
        )
        found: dict[int, list[Finding]] = defaultdict(list)
        for item in items:
            photos = [photo for photo in item.photos if not photo.sensitive and photo.kind == DocumentKind.PHOTO]
            found[item.job_id].append(Finding(item, photos))
        cache[work_order_id] = dict(found)
    return cache[work_order_id]


def customer_photo(work_order_id: int, ref: str) -> Document | None:
    """A photo of a finished inspection of this work order, by the random part of its key."""
    if not ref or len(ref) != 32 or any(ch not in "0123456789abcdef" for ch in ref):
        return None
    return db.session.scalar(
        select(Document)
        .join(
            InspectionItem,
            (InspectionItem.tenant_id == Document.tenant_id) & (InspectionItem.id == Document.inspection_item_id),
        )
        .join(
            Inspection,
            (Inspection.tenant_id == InspectionItem.tenant_id) & (Inspection.id == InspectionItem.inspection_id),
        )
        .where(
            Document.storage_key == f"tenants/{active_tenant_id()}/{DocumentKind.PHOTO}/{ref}",
            Document.work_order_id == work_order_id,
            Document.kind == DocumentKind.PHOTO,
            Document.sensitive.is_(False),
            Inspection.work_order_id == work_order_id,
            Inspection.status == InspectionStatus.FINISHED,
        )
    )
