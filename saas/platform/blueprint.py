"""The console's blueprint, on admin.<host>. Its views live in several modules (one per subject), all
imported by `saas.platform.routes`; every view is gated by `access.console_required`."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("platform", __name__, template_folder="templates")
