"""What ``[cache] redis_url`` may say, checked once when the config is loaded (no Redis library needed).

* ``redis://[user:password@]host:port[/db]`` — one endpoint (a managed Redis included);
  ``rediss://…`` the same over TLS; ``unix:///path/to/redis.sock[?db=N]`` a local socket.
* ``redis+cluster://[user:password@]host:port[,host:port…]`` — Redis Cluster from a seed list (any
  reachable node finds the rest); ``rediss+cluster://…`` over TLS. A cluster has only database 0.

Redis Sentinel is refused with one line: it needs a discovery client the service does not run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlsplit

SINGLE_SCHEMES = ("redis", "rediss", "unix")
CLUSTER_SCHEMES = ("redis+cluster", "rediss+cluster")
CLUSTER_HINT = "redis+cluster://host:port[,host:port…]"

# Query options a deployment may need (timeouts, TLS verification); anything else is a typo or an option
# redis-py would hand to the connection and fail on at the first command.
OPTIONS = frozenset(
    {
        "db",
        "socket_timeout",
        "socket_connect_timeout",
        "socket_keepalive",
        "health_check_interval",
        "ssl_cert_reqs",
        "ssl_ca_certs",
        "ssl_check_hostname",
        "ssl_min_version",
        "protocol",
        "client_name",
    }
)


@dataclass(frozen=True)
class RedisTarget:
    """A parsed ``redis_url``: one endpoint (``url``) or the seed nodes of a cluster."""

    url: str
    cluster: bool = False
    tls: bool = False
    nodes: tuple[tuple[str, int], ...] = ()
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_redis_url(url: str) -> RedisTarget:
    """The target ``url`` names; ``ValueError`` with one line saying what is wrong and what would work."""
    scheme, sep, _ = url.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise ValueError(f"{safe_url(url)!r} is not a Redis URL (use redis://host:port/db or {CLUSTER_HINT})")
    if "sentinel" in scheme:
        raise ValueError(
            "Redis Sentinel is not supported: use the primary's redis:// or rediss:// address "
            f"(a managed endpoint that follows failover) or {CLUSTER_HINT}"
        )
    if scheme in CLUSTER_SCHEMES:
        return _cluster(url, scheme)
    if scheme not in SINGLE_SCHEMES:
        allowed = ", ".join(f"{s}://" for s in (*SINGLE_SCHEMES, *CLUSTER_SCHEMES))
        raise ValueError(f"unknown scheme {scheme + '://'!r} (use one of {allowed})")
    parts = urlsplit(url)
    _check_options(parts.query)
    if scheme == "unix":
        if not parts.path:
            raise ValueError("a unix:// URL needs a socket path, e.g. unix:///run/redis.sock")
        return RedisTarget(url)
    if "," in parts.netloc:
        raise ValueError(f"a list of nodes is a Redis Cluster seed list: use {CLUSTER_HINT}")
    if not parts.hostname:
        raise ValueError(f"{safe_url(url)!r} names no host")
    try:
        parts.port  # noqa: B018 - urllib checks the port only when asked
    except ValueError as exc:
        raise ValueError(f"{safe_url(url)!r}: the port is not a number") from exc
    db = parts.path.strip("/")
    if db and not db.isdigit():
        raise ValueError(f"{safe_url(url)!r}: the path must be a database number, not {db!r}")
    return RedisTarget(url, tls=scheme == "rediss")


def check_redis_url(url: str) -> str:
    """The config validator: ``url`` itself when usable, else ``ValueError`` (one line)."""
    parse_redis_url(url)
    return url


def _cluster(url: str, scheme: str) -> RedisTarget:
    rest = url.split("://", 1)[1]
    rest, _, query = rest.partition("?")
    netloc, _, path = rest.partition("/")
    _check_options(query)
    if path.strip("/") not in ("", "0"):
        raise ValueError(f"a Redis Cluster has only database 0, not /{path.strip('/')}")
    if "db" in dict(parse_qsl(query)):
        raise ValueError("a Redis Cluster has only database 0: drop the db option")
    userinfo, _, hosts = netloc.rpartition("@")
    username, _, password = userinfo.partition(":")
    nodes = tuple(_node(h) for h in hosts.split(",") if h.strip())
    if not nodes:
        raise ValueError(f"{CLUSTER_SCHEMES[0]}:// needs at least one node: {CLUSTER_HINT}")
    return RedisTarget(
        url,
        cluster=True,
        tls=scheme.startswith("rediss"),
        nodes=nodes,
        username=unquote(username) or None,
        password=unquote(password) or None,
    )


def _node(text: str) -> tuple[str, int]:
    host, colon, port = text.strip().rpartition(":")
    if not colon:
        host, port = port, "6379"
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"cluster node {text.strip()!r} is not host:port")
    return host, int(port)


def _check_options(query: str) -> None:
    for name, _ in parse_qsl(query, keep_blank_values=True):
        if name not in OPTIONS:
            hint = f" (for Redis Cluster use {CLUSTER_HINT})" if "cluster" in name.lower() else ""
            raise ValueError(f"unknown option {name!r} in redis_url{hint}")


def safe_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for logs, errors and ``/readyz``)."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, hosts = rest.rpartition("@")
    if not at:
        return url
    user = userinfo.partition(":")[0]
    return f"{scheme}{sep}{user}:***@{hosts}" if ":" in userinfo else url
