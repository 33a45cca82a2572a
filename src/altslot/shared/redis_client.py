"""The one place that builds Redis clients: a bounded pool on one endpoint, or a bounded Redis Cluster client.

Everything that touches Redis (day cache, leases, idempotency keys, holds, webhook replays, breaker,
limiter, warmer lease) uses the ``RedisLink`` built here, so a cluster URL reaches all of them. Every key
carries a ``{hash tag}`` (tenant or API-key identity), so each multi-key command or script stays in one slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from limits.aio.storage import RedisClusterStorage, RedisStorage
from limits.aio.storage.redis.redispy import RedispyBridge
from redis.asyncio import BlockingConnectionPool, Redis, RedisCluster
from redis.asyncio.cluster import ClusterNode, ClusterPipeline
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from altslot.shared.health import describe
from altslot.shared.keys import PREFIX
from altslot.shared.redis_url import CLUSTER_HINT, RedisTarget, parse_redis_url

AnyRedis = Redis | RedisCluster
"""A client of one endpoint or of a cluster; both speak every command altslot uses."""

T = TypeVar("T")

MAX_CONNECTIONS = 64
TIMEOUT_SECONDS = 2.0
PROBE_SECONDS = 2.0

# Set while a task runs a gated command, so a command the cluster client issues from inside a pipeline
# (a redirected retry) does not wait for a permit its own pipeline holds.
_gated: contextvars.ContextVar[bool] = contextvars.ContextVar("altslot_redis_gated", default=False)


class BoundedRedisCluster(RedisCluster):
    """``RedisCluster`` with at most ``limit`` commands in flight, queued like the single-node pool.

    The async cluster client has no blocking pool: past ``max_connections`` per node it raises
    ``MaxConnectionsError``, which is a ``ConnectionError``, so a burst would look like an outage.
    """

    def __init__(self, target: RedisTarget, *, limit: int = MAX_CONNECTIONS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target = target
        self._gate = asyncio.Semaphore(limit)

    async def gated(self, run: Callable[[], Awaitable[T]]) -> T:
        """Run ``run`` holding a permit (unless this task already holds one)."""
        if _gated.get():
            return await run()
        async with self._gate:
            token = _gated.set(True)
            try:
                return await run()
            finally:
                _gated.reset(token)

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        """One command, within the bound."""
        return await self.gated(lambda: super(BoundedRedisCluster, self).execute_command(*args, **kwargs))

    def pipeline(self, transaction: Any | None = None, shard_hint: Any | None = None) -> ClusterPipeline:
        """A pipeline whose ``execute`` holds one permit."""
        if shard_hint:
            return super().pipeline(transaction, shard_hint)  # refused by redis-py with its own message
        return _BoundedPipeline(self, transaction)  # type: ignore[abstract]  # as redis-py builds its own


class _BoundedPipeline(ClusterPipeline):
    async def execute(self, raise_on_error: bool = True, allow_redirections: bool = True) -> list[Any]:
        client = cast("BoundedRedisCluster", self.cluster_client)
        return await client.gated(lambda: super(_BoundedPipeline, self).execute(raise_on_error, allow_redirections))


def connect_client(target: RedisTarget) -> AnyRedis:
    """A client for ``target``; nothing is connected until the first command (or ``RedisLink.start``)."""
    if target.cluster:
        return BoundedRedisCluster(
            target,
            startup_nodes=[ClusterNode(host, port) for host, port in target.nodes],
            username=target.username,
            password=target.password,
            ssl=target.tls,
            max_connections=MAX_CONNECTIONS,
            socket_timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
            # A dead shard fails over in seconds; the health window covers that, so retry only briefly here.
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 2),
        )
    # A bounded pool: bursts queue for a connection instead of opening hundreds. One retry on a
    # ConnectionError replaces a connection that went stale while Redis restarted; without it every
    # pooled connection fails once after a restart and each failure sends the instance back to memory.
    pool = BlockingConnectionPool.from_url(
        target.url,
        max_connections=MAX_CONNECTIONS,
        timeout=TIMEOUT_SECONDS,
        socket_timeout=TIMEOUT_SECONDS,
        socket_connect_timeout=TIMEOUT_SECONDS,
        # Not on timeouts: a hung Redis must cost one socket timeout, not two.
        retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
    )
    return Redis(connection_pool=pool)


def window_storage(client: AnyRedis) -> RedisStorage:
    """``limits``' storage for the limiter's moving windows on the same Redis as ``client``.

    One endpoint: ``RedisStorage`` on the client's own pool. A cluster: ``RedisClusterStorage``, which
    builds its own cluster client from the seed list (``limits`` cannot share ours).
    """
    if isinstance(client, BoundedRedisCluster):
        target = client.target
        auth = f"{target.username or ''}:{target.password}@" if target.password else ""
        seeds = ",".join(f"{host}:{port}" for host, port in target.nodes)
        options: dict[str, Any] = {
            "max_connections": MAX_CONNECTIONS,
            "socket_timeout": TIMEOUT_SECONDS,
            "socket_connect_timeout": TIMEOUT_SECONDS,
        }
        if target.tls:
            options["ssl"] = True
        return RedisClusterStorage(
            f"async+redis+cluster://{auth}{seeds}", implementation="redispy", key_prefix=PREFIX, **options
        )
    if isinstance(client, RedisCluster):
        raise TypeError("a cluster client for the limiter must come from altslot.shared.redis_client")
    pool = cast("dict[str, Any]", {"connection_pool": client.connection_pool})
    return RedisStorage("async+redis://", implementation="redispy", key_prefix=PREFIX, **pool)


async def problem_of(client: AnyRedis) -> str | None:
    """Why ``client`` cannot share state right now, or None when every part of Redis answers.

    A cluster: every primary must answer and the cluster must say ``cluster_state:ok``. One endpoint: it
    must answer and must not be a cluster node (a plain client gets ``MOVED`` for most keys there).
    """
    try:
        async with asyncio.timeout(PROBE_SECONDS):
            if isinstance(client, RedisCluster):
                await client.ping(target_nodes=RedisCluster.PRIMARIES)
                info = await client.cluster_info(target_nodes=RedisCluster.RANDOM)
                state = info.get("cluster_state", "ok") if isinstance(info, dict) else "ok"
                return None if state == "ok" else f"cluster_state is {state}"
            await client.ping()
            if await _is_cluster_node(client):
                return f"a Redis Cluster node given as a plain URL: use {CLUSTER_HINT}"
    except TimeoutError:
        return f"no answer within {PROBE_SECONDS:g} s"
    except Exception as exc:  # a probe reports, it never raises
        return describe(exc)
    return None


async def _is_cluster_node(client: Redis) -> bool:
    try:
        info = await client.info("cluster")
    except ResponseError:  # some managed services refuse INFO; they are not cluster nodes we can detect
        return False
    return bool(info.get("cluster_enabled"))


@dataclass
class RedisLink:
    """The service's Redis client and the limiter's window storage on the same Redis."""

    target: RedisTarget
    client: AnyRedis
    window: RedisStorage

    async def start(self) -> str | None:
        """Discover a cluster's topology before serving; the problem if Redis cannot be used yet.

        Concurrent first commands on a fresh cluster client race its discovery and leak errors that are
        not Redis errors, so the topology is loaded once here. A failure is not fatal: the clients
        discover the cluster on their next command and the service works from memory meanwhile.
        """
        if self.target.cluster:
            try:
                await cast("RedisCluster", self.client).initialize()
                await self._window_client().initialize()
            except Exception as exc:  # reported, never fatal: see above
                return describe(exc)
        return await problem_of(self.client)

    def _window_client(self) -> RedisCluster:
        return cast("RedisCluster", cast("RedispyBridge", self.window.bridge).get_connection())

    async def problem(self) -> str | None:
        """The readiness probe (see ``problem_of``)."""
        return await problem_of(self.client)

    async def aclose(self) -> None:
        """Close the client and the window storage's own cluster client."""
        if isinstance(self.client, RedisCluster):
            await self.client.aclose()
            await self._window_client().aclose()
        else:
            await self.client.aclose(close_connection_pool=True)


def connect_redis(url: str) -> RedisLink:
    """The link for ``[cache] redis_url`` (already validated by the config; ``ValueError`` otherwise)."""
    target = parse_redis_url(url)
    client = connect_client(target)
    return RedisLink(target, client, window_storage(client))


async def redis_problem(url: str) -> str | None:
    """Why Redis at ``url`` cannot be used right now (start-up check), or None; never raises."""
    try:
        link = connect_redis(url)
    except Exception as exc:  # a URL the config let through but redis-py refuses
        return describe(exc)
    try:
        return await link.start()
    finally:
        with contextlib.suppress(Exception):  # closing a client that never connected may fail
            await link.aclose()
