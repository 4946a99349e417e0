"""Every console view module, so that importing this registers all of the console's routes on `bp`."""

from __future__ import annotations

from saas.platform import (  # noqa: F401  (each module adds its routes to bp)
    account_views,
    action_views,
    admin_views,
    closure_views,
    export_views,
    health_views,
    login_views,
    metrics_views,
    support_views,
    views,
)
from saas.platform.blueprint import bp
from saas.platform.guard import enforce_suspension

bp.before_app_request(enforce_suspension)  # before billing's read-only mode: blueprints register in order

__all__ = ["bp"]
