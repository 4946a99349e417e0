"""Staff roles and what each may do. One table of permissions, checked by `can`."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A staff member's role in one shop."""

    OWNER = "owner"
    MANAGER = "manager"
    SERVICE_ADVISOR = "service_advisor"
    TECHNICIAN = "technician"

    @property
    def label(self) -> str:
        """Human-readable name."""
        return self.value.replace("_", " ").capitalize()


ALL = frozenset(Role)
OFFICE = frozenset({Role.OWNER, Role.MANAGER, Role.SERVICE_ADVISOR})
MANAGEMENT = frozenset({Role.OWNER, Role.MANAGER})

PERMISSIONS: dict[str, frozenset[Role]] = {
    "customers.view": ALL,
    "customers.edit": OFFICE,
    "workorders.view": ALL,
    "workorders.edit": OFFICE,  # create, price, send estimates; technicians update their own jobs' status
    "workorders.update_status": ALL,
    "canned_jobs.manage": MANAGEMENT,
    "invoices.view": OFFICE,
    "invoices.manage": OFFICE,
    "payments.record": OFFICE,
    "appointments.view": ALL,
    "appointments.manage": OFFICE,
    "reports.view": MANAGEMENT,
    "access_log.view": frozenset({Role.OWNER}),
    "staff.view": MANAGEMENT,
    "staff.manage": MANAGEMENT,
    "shop.settings": MANAGEMENT,
    "billing.manage": frozenset({Role.OWNER}),
    "documents.sensitive": OFFICE,  # ID cards and driving licences
    "inspections.templates": MANAGEMENT,
    "privacy.erase": MANAGEMENT,  # erase a customer's personal data (what the law keeps stays)
    "privacy.retention": frozenset({Role.OWNER}),  # retention periods, runs, legal holds
    "privacy.requests": MANAGEMENT,  # the queue of customers' privacy requests and its deadline rules
    "privacy.manage": frozenset({Role.OWNER}),  # privacy settings, policy versions, record of processing
    "shop.export": frozenset({Role.OWNER}),  # export all of the shop's data (a ZIP of every record and file)
    "support.manage": frozenset({Role.OWNER}),  # Workbay support's visits: see them, allow support to make changes
}

# Who may hand out which role: nobody grants more than they hold.
ASSIGNABLE: dict[Role, tuple[Role, ...]] = {
    Role.OWNER: (Role.TECHNICIAN, Role.SERVICE_ADVISOR, Role.MANAGER, Role.OWNER),
    Role.MANAGER: (Role.TECHNICIAN, Role.SERVICE_ADVISOR),
}


def role_can(role: str, permission: str) -> bool:
    """True if `role` holds `permission`; unknown permissions are refused."""
    return Role(role) in PERMISSIONS.get(permission, frozenset())


def assignable_roles(role: str) -> tuple[Role, ...]:
    """The roles someone with `role` may give to others."""
    return ASSIGNABLE.get(Role(role), ())
