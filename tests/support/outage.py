"""What the service logs about one Redis outage: a line when it starts, a line when it ends, nothing else."""

from __future__ import annotations

import logging

import pytest


def assert_one_outage_logged(caplog: pytest.LogCaptureFixture) -> None:
    """The warnings ``caplog`` holds are exactly one outage's start and its end."""
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(messages) == 2, messages
    assert messages[0].startswith("redis unavailable, working locally: ")
    assert messages[1] == "redis is back; sharing state again"
