"""Every console view module, so that importing this registers all of the console's routes on `bp`."""

from __future__ import annotations

from saas.platform import (  # noqa: F401  (each module adds its routes to bp)
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

__all__ = ["bp"]
