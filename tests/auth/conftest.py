"""The auth tests' own shops: Acme Repairs and Globex Garage (names that mails and pages show).

Everything else they use (owner, logged-in clients, the clock of signed links, reading pages)
comes from the shared fixtures in tests/fixtures.
"""

from __future__ import annotations

import pytest

from tests.factories import Ref


@pytest.fixture
def shop(factory) -> Ref:
    """Acme Repairs at acme.workbay.test, with its owner."""
    return factory.tenant("acme", name="Acme Repairs")


@pytest.fixture
def other_shop(factory) -> Ref:
    """A second shop, Globex Garage at globex.workbay.test."""
    return factory.tenant("globex", name="Globex Garage")
