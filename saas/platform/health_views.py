"""Console: the platform's health, as a page and as JSON for monitoring, and the retry of a failed job."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, url_for

from saas.platform import audit, jobs
from saas.platform import health as checks
from saas.platform.access import console_required
from saas.platform.blueprint import bp


@bp.route("/health")
@console_required("shops.view")
def health():
    """Database, queue, failed jobs, mail backlog, storage, Stripe webhooks: ok, warning or down."""
    return render_template("platform/health.html", health=checks.platform_health(), checks=checks)


@bp.route("/health.json")
@console_required("shops.view")
def health_json():
    """The same checks for monitoring: 200 while nothing is down, 503 when a part is."""
    result = checks.platform_health()
    response = jsonify(result.as_json())
    response.status_code = 503 if result.state == checks.DOWN else 200
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/health/jobs/<int:job_id>/retry", methods=["POST"])
@console_required("jobs.retry")
def health_retry_job(job_id: int):
    """Put a failed job back on the queue; audited. A job that is not failed is refused (409)."""
    job = jobs.retry_failed_job(job_id)
    audit.record("jobs.retry", shop_id=job.shop_id, detail=f"job={job.id} task={job.task}")
    flash(f"Job #{job.id} ({job.task}) is waiting to run again.", "success")
    return redirect(url_for("platform.health", _anchor="failed-jobs"), 303)
