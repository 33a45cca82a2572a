"""The search tests' salon: a simulator with one booking (30 September 14:00) and a runtime in front of it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.direct import Desk, desk


@pytest.fixture
async def salon() -> AsyncIterator[Desk]:
    """The salon with its default settings; tests that need others open their own ``desk``."""
    async with desk() as found:
        yield found
