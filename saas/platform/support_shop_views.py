"""Support access on a shop's host (to be written)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("platform_support", __name__, template_folder="templates")
