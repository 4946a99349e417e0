"""Login limits switched on for one test, and the clock their waits are measured with."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from saas.core.extensions import db, limiter


class LoginClock:
    """Stands in for `saas.auth.login_limits.clock`: time passes only when the test says so."""

    def __init__(self, start: float = 2_000_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass."""
        self.now += seconds


@contextmanager
def limits_on(make_app, monkeypatch, **settings) -> Iterator[tuple[object, LoginClock]]:
    """An app with RATELIMIT_ENABLED (memory storage) and a login clock the test moves.

    The limiter is one object for every app: it is switched off and emptied again afterwards.
    """
    clock = LoginClock()
    monkeypatch.setattr("saas.auth.login_limits.clock", clock)
    limited = make_app(RATELIMIT_ENABLED=True, **settings)
    try:
        yield limited, clock
    finally:
        limiter.reset()
        limiter.enabled = False
        with limited.app_context():
            for engine in db.engines.values():
                engine.dispose()
