"""Canned jobs: templates of labor, parts and fees that a work order copies in two clicks.

Like the other services these flush and never commit. Copying one into a work order is
`saas.workorders.jobs.add_canned_job`.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from saas.core.extensions import db
from saas.workorders.jobs import line_values
from saas.workorders.models import CannedJob, CannedJobLine
from saas.workorders.services import WorkOrderError


def canned_jobs() -> list[CannedJob]:
    """Every canned job of the shop with its lines, by title (a fixed number of queries)."""
    return list(db.session.scalars(select(CannedJob).options(selectinload(CannedJob.lines)).order_by(CannedJob.title)))


def save_canned_job(canned: CannedJob | None, *, title: str, description: str = "") -> CannedJob:
    """Create a canned job or rename it; titles are unique within the shop."""
    title = (title or "").strip()
    if not title:
        raise WorkOrderError("Give the canned job a title.")
    clash = select(CannedJob.id).where(func.lower(CannedJob.title) == title.lower())
    if canned is not None:
        clash = clash.where(CannedJob.id != canned.id)
    if db.session.scalar(clash) is not None:
        raise WorkOrderError(f"There is already a canned job called “{title}”.")
    if canned is None:
        canned = CannedJob()
        db.session.add(canned)
    canned.title = title[:200]
    canned.description = (description or "").strip()
    db.session.flush()
    return canned


def delete_canned_job(canned: CannedJob) -> None:
    """Remove a canned job and its lines (jobs already copied from it stay as they are)."""
    db.session.execute(delete(CannedJobLine).where(CannedJobLine.canned_job_id == canned.id))
    db.session.delete(canned)
    db.session.flush()


def add_canned_line(canned: CannedJob, *, labor_rate: Decimal | None = None, **values) -> CannedJobLine:
    """Add a line to a canned job (checked like a job line, see `jobs.line_values`)."""
    checked = line_values(labor_rate=labor_rate, **values)
    position = db.session.scalar(
        select(func.coalesce(func.max(CannedJobLine.position), -1) + 1).where(CannedJobLine.canned_job_id == canned.id)
    )
    line = CannedJobLine(canned_job_id=canned.id, position=position, **checked)
    db.session.add(line)
    db.session.flush()
    return line


def update_canned_line(line: CannedJobLine, *, labor_rate: Decimal | None = None, **values) -> CannedJobLine:
    """Change a line of a canned job."""
    for key, value in line_values(labor_rate=labor_rate, **values).items():
        setattr(line, key, value)
    db.session.flush()
    return line


def delete_canned_line(line: CannedJobLine) -> None:
    """Remove a line of a canned job."""
    db.session.delete(line)
    db.session.flush()
