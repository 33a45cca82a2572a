"""Fixtures for the upstream tests: a real Redis, unique keys, and a clock tests move by hand."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from tests.support.clocks import FakeClock

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/0"


@pytest.fixture
def anyio_backend() -> str:
    """Run the async tests on asyncio (the service's loop)."""
    return "asyncio"


@pytest.fixture
def clock() -> FakeClock:
    """A fresh hand-moved clock."""
    return FakeClock()


@pytest.fixture
def key() -> str:
    """A key identity no other test (or earlier run) uses."""
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def redis(key: str) -> AsyncIterator[Redis]:
    """A client of the real Redis; a missing server fails the test here instead of skipping it."""
    client = Redis.from_url(REDIS_URL)
    await client.ping()
    yield client
    async for found in client.scan_iter(match=f"*{key}*"):
        await client.delete(found)
    await client.aclose()


@pytest.fixture
async def dead_redis() -> AsyncIterator[Redis]:
    """A client of a port where no Redis listens, for the fallback paths."""
    client = Redis.from_url(UNREACHABLE_REDIS_URL, socket_connect_timeout=0.5)
    yield client
    await client.aclose()
