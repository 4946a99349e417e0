"""The status flow of a work order, in one place.

    estimate -> approved -> in_progress -> waiting_for_parts -> ready -> invoiced -> closed

with a few steps back (a job reopened, a part arrived, an estimate revised) and `cancelled`
from any state before `invoiced`. `invoiced` is set only by invoicing (`services.mark_invoiced`),
and left back to `ready` only when that invoice is voided (`services.reopen_after_void`).
"""

from __future__ import annotations

from saas.workorders.models import Status

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.ESTIMATE: frozenset({Status.APPROVED, Status.CANCELLED}),
    Status.APPROVED: frozenset({Status.IN_PROGRESS, Status.ESTIMATE, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.WAITING_FOR_PARTS, Status.READY, Status.CANCELLED}),
    Status.WAITING_FOR_PARTS: frozenset({Status.IN_PROGRESS, Status.READY, Status.CANCELLED}),
    Status.READY: frozenset({Status.INVOICED, Status.IN_PROGRESS, Status.CANCELLED}),
    Status.INVOICED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
    Status.CANCELLED: frozenset(),
}

# The way forward, in the order of the flow (the board's "→ next" button).
FORWARD: dict[Status, Status] = {
    Status.ESTIMATE: Status.APPROVED,
    Status.APPROVED: Status.IN_PROGRESS,
    Status.IN_PROGRESS: Status.READY,
    Status.WAITING_FOR_PARTS: Status.READY,
    Status.INVOICED: Status.CLOSED,
}

# Columns of the job board: the work still in the shop.
BOARD_COLUMNS: tuple[Status, ...] = (
    Status.ESTIMATE,
    Status.APPROVED,
    Status.IN_PROGRESS,
    Status.WAITING_FOR_PARTS,
    Status.READY,
)
OPEN = frozenset(BOARD_COLUMNS)
# Jobs and lines of a work order in these states are frozen.
LOCKED = frozenset({Status.INVOICED, Status.CLOSED, Status.CANCELLED})
# Set by other features through their own service call, never from a status button.
SYSTEM_ONLY = frozenset({Status.INVOICED})
# The one step back from invoiced, made only by invoicing's call when the invoice is voided.
REOPEN_AFTER_VOID = (Status.INVOICED, Status.READY)
# What a technician may do on a work order assigned to them: the workshop's own moves.
TECHNICIAN_TARGETS = frozenset({Status.IN_PROGRESS, Status.WAITING_FOR_PARTS, Status.READY})

# Words on the buttons that move a work order to a status (a step back says "back").
ACTIONS: dict[Status, str] = {
    Status.ESTIMATE: "Back to estimate",
    Status.APPROVED: "Approve",
    Status.IN_PROGRESS: "Start work",
    Status.WAITING_FOR_PARTS: "Waiting for parts",
    Status.READY: "Ready for pickup",
    Status.INVOICED: "Invoiced",
    Status.CLOSED: "Close",
    Status.CANCELLED: "Cancel work order",
}
BACK_ACTIONS: dict[Status, str] = {Status.IN_PROGRESS: "Back to work"}


def is_legal(from_status: str, to_status: str) -> bool:
    """True if the flow allows moving from `from_status` to `to_status`."""
    try:
        return Status(to_status) in TRANSITIONS[Status(from_status)]
    except ValueError:
        return False


def label(status: str) -> str:
    """`waiting_for_parts` -> `Waiting for parts` (any other text is shown as it is)."""
    return str(status).replace("_", " ").capitalize()


def ui_targets(from_status: str, *, office: bool) -> list[Status]:
    """The statuses a person may pick from `from_status` (forward first, cancel last)."""
    allowed = TRANSITIONS[Status(from_status)] - SYSTEM_ONLY
    if not office:
        allowed &= TECHNICIAN_TARGETS
    order = list(Status)
    forward = FORWARD.get(Status(from_status))
    return sorted(allowed, key=lambda s: (s != forward, s == Status.CANCELLED, order.index(s)))


def is_back(from_status: str, to_status: str) -> bool:
    """True for a step back in the flow (a job reopened, an estimate revised)."""
    order = list(Status)
    return to_status != Status.CANCELLED and order.index(Status(to_status)) < order.index(Status(from_status))


def action(from_status: str, to_status: str) -> str:
    """The words on the button that moves a work order from `from_status` to `to_status`."""
    if is_back(from_status, to_status):
        return f"← {BACK_ACTIONS.get(Status(to_status), ACTIONS[Status(to_status)])}"
    if to_status == Status.CANCELLED:
        return ACTIONS[Status.CANCELLED]
    return f"→ {ACTIONS[Status(to_status)]}"
