"""Signing up through the public form, and reading back what it created."""

from __future__ import annotations

import pytest

from tests.onboarding.helpers import SIGNER_IP, SIGNUP


@pytest.fixture
def sign_up(client):
    """`sign_up(**changes)` posts the signup form (valid unless changed; None leaves a field out)."""

    def post(**changes):
        data = {key: value for key, value in {**SIGNUP, **changes}.items() if value is not None}
        return client.post("/signup", data=data, environ_base={"REMOTE_ADDR": SIGNER_IP})

    return post
