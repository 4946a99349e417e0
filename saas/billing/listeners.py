"""How billing reacts to the features below it: the plan's limits, seats, the layout's banner."""

from __future__ import annotations

from saas.auth.signals import staff_changed
from saas.billing import guard
from saas.billing.access import check_feature, storage_limit_bytes
from saas.billing.seats import check_seat_available, seats_changed
from saas.core import limits
from saas.core.panels import Panel
from saas.core.signals import layout_banners

FEATURE_LABELS = {"inspections": "Digital inspections", "online_booking": "Online booking"}


@limits.limit_checked.connect_via("staff_seats")
def _check_seats(sender, **details) -> None:
    check_seat_available()


@limits.limit_checked.connect
def _check_feature(sender: str, **details) -> None:
    if sender in FEATURE_LABELS:
        check_feature(sender, FEATURE_LABELS[sender])


@limits.allowance_asked.connect_via("storage_bytes")
def _storage_allowance(sender, **details) -> int | None:
    return storage_limit_bytes()


@staff_changed.connect
def _sync_seats_later(tenant_id, **details) -> None:
    seats_changed()


@layout_banners.connect
def _billing_banner(tenant, **details) -> Panel | None:
    access = guard.access()
    if access is None or not (access.read_only or access.banner):
        return None
    return Panel("billing/_banner.html", {"shop_access": access})
