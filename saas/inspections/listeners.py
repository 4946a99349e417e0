"""How inspections plug into the work order: its page, and the photos on the customer's estimate."""

from __future__ import annotations

from saas.core.extensions import db
from saas.core.panels import Panel
from saas.inspections import services
from saas.workorders import signals as work_order_signals
from saas.workorders.models import WorkOrder
from saas.workorders.status import LOCKED


@work_order_signals.page_panels.connect
def _inspections_panel(work_order: WorkOrder, user, **details) -> Panel:
    may_start = user.can(services.INSPECT_PERMISSION) and work_order.status not in LOCKED
    return Panel(
        "inspections/_panel.html",
        {
            "work_order": work_order,
            "inspections": services.inspections_of(work_order.id),
            "checklists": list(db.session.scalars(services.templates_query())) if may_start else [],
            "may_start": may_start,
        },
        order=30,
    )


@work_order_signals.estimate_job_panels.connect
def _estimate_photos(work_order: WorkOrder, **details) -> dict[int, Panel]:
    findings = services.findings_by_job(work_order.id)
    return {
        job_id: Panel("inspections/_estimate_photos.html", {"findings": job_findings})
        for job_id, job_findings in findings.items()
        if job_findings
    }
