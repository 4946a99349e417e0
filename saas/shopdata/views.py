"""The owner's export of all of the shop's data, on the shop's host (to be written)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("shopdata", __name__, template_folder="templates")
