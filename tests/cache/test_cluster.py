"""altslot on a real Redis Cluster: bounded client, one slot per key family, and a truthful ``/readyz``."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from redis.asyncio.cluster import ClusterNode
from typer.testing import CliRunner

from altslot.commands.cli import app
from altslot.shared.redis_client import BoundedRedisCluster
from altslot.shared.redis_url import CLUSTER_HINT, parse_redis_url
from altslot.shell.config import CacheSettings
from tests.e2e.test_booking import SECRET, book, signed, webhook_body
from tests.support.redis_servers import Cluster
from tests.support.world import EVENT, TOKEN, running, salon_data

TAGGED = re.compile(r"^altslot:\{[^{}]+\}:")


def node_url(cluster: Cluster, db: int = 0) -> str:
    """A cluster node given as a plain URL: the mis-configuration the issue found."""
    return f"redis://127.0.0.1:{cluster.nodes[0].port}/{db}"


@pytest.mark.anyio
async def test_a_burst_queues_for_the_bounded_cluster_client(redis_cluster: Cluster, unique: str) -> None:
    """400 concurrent commands over 4 connections per node all succeed: the client queues, never refuses."""
    target = parse_redis_url(redis_cluster.url)
    seeds = [ClusterNode(host, port) for host, port in target.nodes]
    client = BoundedRedisCluster(target, limit=4, startup_nodes=seeds, max_connections=4)
    try:
        await client.initialize()
        keys = [f"altslot:{{{unique}-{i % 7}}}:burst" for i in range(400)]
        await asyncio.gather(*(client.incr(k) for k in keys))
        async with client.pipeline(transaction=False) as pipe:
            for k in sorted(set(keys)):
                pipe.get(k)
            counts = await pipe.execute()
        assert sum(int(c) for c in counts) == 400
        for k in set(keys):
            await client.delete(k)
    finally:
        await client.aclose()


def test_every_key_altslot_writes_on_the_cluster_carries_a_hash_tag(redis_cluster: Cluster) -> None:
    """Search, hold, book with a key, webhook: every key in the cluster has a {tag}, and each family is one slot."""
    cache = CacheSettings(backend="redis", redis_url=redis_cluster.url)
    with running(salon_data(), cache=cache, instances=2, webhook_secret=SECRET) as world:
        held = world.search(desired_start="2025-09-30T14:00", hold_minutes=5)
        assert held.status_code == 200, held.text
        assert book(world, "2025-10-01T10:00", "tagged-key").status_code == 201
        body = webhook_body("2025-09-30T13:00:00Z", "2025-09-30T13:30:00Z")
        hook = world.http.post(f"{world.api.url}/webhooks/calcom/salon", content=body, headers=signed(body))
        assert hook.status_code == 200, hook.text
        assert world.search(desired_start="2025-09-30T14:00", instance=1).status_code == 200
        client = redis_cluster.client()
        try:
            keys = [k.decode() for k in client.scan_iter(match="*", count=1000)]
            slots = {}
            for key in keys:
                tag = key.split("{", 1)[1].split("}", 1)[0] if "{" in key else key
                slots.setdefault(tag, set()).add(client.keyslot(key))
        finally:
            client.close()
    assert keys, "nothing was written to the cluster"
    assert [k for k in keys if not TAGGED.match(k)] == []
    assert {"salon"} <= set(slots)
    assert all(len(found) == 1 for found in slots.values()), slots


def test_readyz_on_a_cluster_url_is_ok(redis_cluster: Cluster) -> None:
    """The cluster URL with every primary answering: ``/readyz`` is ok, searches share."""
    cache = CacheSettings(backend="redis", redis_url=redis_cluster.url, redis_required=True)
    with running(salon_data(), cache=cache) as world:
        assert world.search(desired_start="2025-09-30T14:00").status_code == 200
        ready = world.http.get(f"{world.api.url}/readyz")
    assert (ready.status_code, ready.json()["checks"]["redis"]) == (200, "ok")


@pytest.mark.parametrize("required", [False, True])
def test_readyz_says_working_alone_for_a_cluster_node_given_as_a_plain_url(
    redis_cluster: Cluster, required: bool
) -> None:
    """A plain URL to a cluster node answers PING but MOVED for most keys: degraded (503 when required)."""
    cache = CacheSettings(backend="redis", redis_url=node_url(redis_cluster), redis_required=required)
    with running(salon_data(), cache=cache) as world:
        assert world.search(desired_start="2025-09-30T14:00").status_code == 200  # from memory
        ready = world.http.get(f"{world.api.url}/readyz")
    check = ready.json()["checks"]["redis"]
    assert check.startswith("degraded: working from local memory")
    assert CLUSTER_HINT in check
    assert ready.status_code == (503 if required else 200)
    assert ready.json()["status"] == ("unavailable" if required else "degraded")


def test_readyz_reports_select_refused_by_a_cluster_node(redis_cluster: Cluster) -> None:
    """A database number on a cluster node ("SELECT is not allowed in cluster mode"): degraded, saying so."""
    cache = CacheSettings(backend="redis", redis_url=node_url(redis_cluster, db=1))
    with running(salon_data(), cache=cache) as world:
        ready = world.http.get(f"{world.api.url}/readyz")
    check = ready.json()["checks"]["redis"]
    assert check.startswith("degraded: working from local memory")
    assert "SELECT is not allowed in cluster mode" in check


def test_required_redis_refuses_to_start_on_a_cluster_node_given_as_a_plain_url(
    redis_cluster: Cluster, tmp_path: Path
) -> None:
    """``redis_required`` and a plain URL to a cluster node: one line naming redis+cluster://, exit 2."""
    config = tmp_path / "altslot.toml"
    config.write_text(
        f'[cache]\nbackend = "redis"\nredis_url = "{node_url(redis_cluster)}"\nredis_required = true\n'
        f'[tenants.salon]\ntokens = ["{TOKEN}"]\nevent_types = [{EVENT}]\n'
    )
    result = CliRunner().invoke(app, ["serve", "--config", str(config)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert CLUSTER_HINT in lines[0]
