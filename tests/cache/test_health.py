"""RedisHealth: one warning per outage that keeps the error's message (the slot and node of a MOVED)."""

from __future__ import annotations

import logging

import pytest
from redis.exceptions import MovedError

from altslot.shared.health import RedisHealth
from tests.support.clocks import FakeClock


def test_an_outage_is_logged_once_with_the_message_and_kept_for_readyz(caplog: pytest.LogCaptureFixture) -> None:
    """redis-py's repr drops a MOVED's slot and node; the log line and ``problem`` keep them."""
    clock = FakeClock()
    health = RedisHealth(retry_after=5.0, monotonic=clock)
    with caplog.at_level(logging.WARNING, logger="altslot.redis"):
        health.failed(MovedError("9284 127.0.0.1:22002"))
        health.failed(MovedError("9284 127.0.0.1:22002"))
        assert not health.usable
        clock.advance(5.0)
        assert health.usable
        health.ok()
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "redis unavailable, working locally: MovedError: 9284 127.0.0.1:22002",
        "redis is back; sharing state again",
    ]
    assert health.problem is None
