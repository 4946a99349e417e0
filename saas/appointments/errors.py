"""The appointment rules' refusals (`saas.core.errors.ServiceError`, answered by the request layer)."""

from __future__ import annotations

from saas.core.errors import ServiceError


class AppointmentError(ServiceError):
    """Input or an action the appointment rules refuse; the message is safe to show."""


class SlotTakenError(AppointmentError):
    """The time overlaps another live appointment of the shop."""

    status = 409

    def __init__(self, message: str = "That time was just taken, please pick another."):
        super().__init__(message, field="slot")
