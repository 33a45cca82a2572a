"""``[cache] redis_url``: which forms are accepted, and one clear line for every form that is not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from limits.aio.storage import RedisClusterStorage, RedisStorage

from altslot.shared.redis_client import BoundedRedisCluster, connect_redis
from altslot.shared.redis_url import parse_redis_url, safe_url
from altslot.shell.config import ConfigError, load_settings

TENANT = '[tenants.a]\ntokens=["t"]\nevent_types=[1]\n'


@pytest.mark.parametrize(
    ("url", "cluster", "tls", "nodes"),
    [
        ("redis://127.0.0.1:6379/0", False, False, ()),
        ("rediss://user:secret@cache.example.com:6380/2", False, True, ()),
        ("unix:///run/redis.sock?db=1", False, False, ()),
        ("redis+cluster://10.0.0.1:7000", True, False, (("10.0.0.1", 7000),)),
        ("redis+cluster://:pw@a:7000,b:7001,[::1]:7002", True, False, (("a", 7000), ("b", 7001), ("::1", 7002))),
        ("rediss+cluster://a:7000/0", True, True, (("a", 7000),)),
    ],
)
def test_accepted_urls(url: str, cluster: bool, tls: bool, nodes: tuple[tuple[str, int], ...]) -> None:
    """Single endpoints (TLS, password, db number, socket) and cluster seed lists parse to their target."""
    target = parse_redis_url(url)
    assert (target.cluster, target.tls, target.nodes) == (cluster, tls, nodes)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("nonsense", "is not a Redis URL"),
        ("http://127.0.0.1:6379", "unknown scheme 'http://'"),
        ("async+redis+cluster://a:1,b:2", "unknown scheme"),
        ("redis+sentinel://a:26379/mymaster", "Redis Sentinel is not supported"),
        ("redis://127.0.0.1:22001,127.0.0.1:22002/0", "redis+cluster://"),
        ("redis://127.0.0.1:22001/0?cluster=true", "unknown option 'cluster'"),
        ("redis://127.0.0.1:port/0", "port is not a number"),
        ("redis://127.0.0.1:6379/zero", "database number"),
        ("redis+cluster://a:7000/3", "only database 0"),
        ("redis+cluster://a:notaport", "is not host:port"),
        ("redis+cluster://", "at least one node"),
    ],
)
def test_refused_urls_are_one_line_naming_the_fix(url: str, says: str) -> None:
    """Every unusable form is one ValueError line saying what would work."""
    with pytest.raises(ValueError, match=re.escape(says)) as caught:
        parse_redis_url(url)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_bad_redis_url_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    """In a config file a bad URL is ConfigError on ``cache.redis_url`` (the CLI's one line, exit 2)."""
    path = tmp_path / "altslot.toml"
    path.write_text('[cache]\nbackend = "redis"\nredis_url = "redis+sentinel://s:26379/m"\n' + TENANT)
    with pytest.raises(ConfigError, match=r"^cache\.redis_url: Redis Sentinel is not supported"):
        load_settings(path)


def test_passwords_never_reach_messages() -> None:
    """``safe_url`` masks a password; URLs without one are unchanged."""
    assert safe_url("rediss://u:hunter2@h:6380/0") == "rediss://u:***@h:6380/0"
    assert safe_url("redis://h:6379/0") == "redis://h:6379/0"


@pytest.mark.anyio
async def test_one_factory_builds_the_client_and_the_limiter_storage() -> None:
    """A cluster URL gives the bounded cluster client and limits' cluster storage; a node URL the pool."""
    cluster = connect_redis("redis+cluster://127.0.0.1:1,127.0.0.1:2")
    single = connect_redis("redis://127.0.0.1:1/3")
    try:
        assert isinstance(cluster.client, BoundedRedisCluster)
        assert isinstance(cluster.window, RedisClusterStorage)
        assert not isinstance(single.client, BoundedRedisCluster)
        assert type(single.window) is RedisStorage
        assert single.client.connection_pool.connection_kwargs["db"] == 3
    finally:
        await cluster.aclose()
        await single.aclose()
