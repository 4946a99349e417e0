"""Console views (to be written)."""

from __future__ import annotations

from saas.platform.blueprint import bp  # noqa: F401
