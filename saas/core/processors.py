"""Who else handles a shop's customers' personal data: the processors a shop actually uses.

The privacy feature lists them on the shop's privacy policy, its public sub-processor page and
its record of processing activities. The platform's own (hosting, document storage, mail) come
from the configuration; a feature that sends data somewhere for a shop answers the signal
below for that shop, for example cookie consent when the shop configured an analytics snippet:

    # saas/consent/listeners.py
    @processors_in_use.connect
    def _analytics(shop, **extra):
        if not shop_has_analytics(shop):
            return None
        return Processor("analytics", "Google Analytics (Google Ireland Ltd.)", "Statistics about visits, "
                         "only after the visitor agreed to analytics cookies", "EU / USA",
                         data="pages visited, a random visitor id, browser", activities=("website",))
"""

from __future__ import annotations

from dataclasses import dataclass

from blinker import Namespace

_signals = Namespace()

processors_in_use = _signals.signal(
    "processors-in-use",
    doc="Sender: the shop (Tenant). Answer a `Processor` (or a list of them) that handles this shop's "
    "customers' personal data, or None.",
)


@dataclass(frozen=True)
class Processor:
    """A service provider that handles personal data for the shop.

    `activities`: the keys of the processing activities it takes part in (saas.privacy.inventory);
    empty means all of them (hosting, for example).
    """

    key: str
    name: str
    purpose: str
    location: str
    data: str = ""
    safeguards: str = ""
    activities: tuple[str, ...] = ()


def processors_for(shop) -> list[Processor]:
    """What the features answer for `shop`, in the order they answered."""
    found: list[Processor] = []
    for _, answer in processors_in_use.send(shop):
        if isinstance(answer, Processor):
            found.append(answer)
        elif answer:
            found.extend(answer)
    return found
