"""Registers the shared fixtures of tests/fixtures (one module per subject) for every test folder.

Each folder's conftest.py only holds what is that folder's own.
"""

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.shops",
    "tests.fixtures.clients",
    "tests.fixtures.mail",
    "tests.fixtures.clock",
    "tests.fixtures.storage",
    "tests.fixtures.browser",
]
