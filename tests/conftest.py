"""Shared fixtures: real Redis (a missing one fails the run), private redis-servers and a real Redis Cluster."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.support.redis_servers import Cluster, PrivateRedis

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session", autouse=True)
def _state_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Default locations (the search log's SQLite file) point into a tmp dir, for altslot processes too."""
    state = tmp_path_factory.mktemp("state")
    previous = os.environ.get("XDG_STATE_HOME")
    os.environ["XDG_STATE_HOME"] = str(state)
    yield state
    if previous is None:
        del os.environ["XDG_STATE_HOME"]
    else:
        os.environ["XDG_STATE_HOME"] = previous


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The shared test Redis; tests fail (never skip) when it is not reachable."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is required for this test: {exc}")
    return REDIS_URL


@pytest.fixture
def unique() -> str:
    """A name no other test uses (tenants, key prefixes)."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A private redis-server on a spare port, killed at the end."""
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[Cluster]:
    """A real 3-master Redis Cluster shared by the session's cluster tests (keys are tagged per test)."""
    cluster = Cluster(masters=3)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(params=["single", "cluster"])
def shared_redis(request: pytest.FixtureRequest) -> str:
    """The URL of a Redis several instances share: the single test node, then a real Redis Cluster."""
    if request.param == "single":
        return str(request.getfixturevalue("redis_url"))
    cluster: Cluster = request.getfixturevalue("redis_cluster")
    return cluster.url
