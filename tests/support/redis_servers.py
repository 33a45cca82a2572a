"""Private Redis servers for tests: one node the test may kill, or a real Redis Cluster from redis-server.

A cluster is 3 masters (optionally with one replica each) on spare loopback ports, in a temporary
directory removed afterwards. Every wait is bounded polling of the servers' own answers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from redis.cluster import ClusterNode, RedisCluster

from altslot.bench.processes import free_port

START_SECONDS = 20.0


def real_clock_env() -> dict[str, str]:
    """This environment without libfaketime: Redis's programs misbehave on a faked clock (the suite may not)."""
    return {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}


def binary(name: str) -> str:
    """The path of a Redis program; its absence fails the run (never skips)."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is required for the Redis tests (apt-get install redis-server)")
    return found


def wait_until(check: object, what: str, seconds: float = START_SECONDS) -> None:
    """Poll ``check()`` (a callable returning truthy) until it holds, or fail naming ``what``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except (redis.RedisError, OSError):
            pass
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


@dataclass
class Node:
    """One redis-server process (a plain node, or a cluster node with its bus port)."""

    port: int
    workdir: Path
    cluster_port: int | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it answers PING."""
        args = [binary("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.workdir)]
        if self.cluster_port is not None:
            args += ["--cluster-enabled", "yes", "--cluster-port", str(self.cluster_port)]
            args += ["--cluster-config-file", f"nodes-{self.port}.conf", "--cluster-node-timeout", "1000"]
            # Replicas sync at once (the default waits 5 s for more replicas): a replica that never synced
            # cannot take over, and the failover test kills a master soon after the cluster is created.
            args += ["--repl-diskless-sync-delay", "0"]
        log = (self.workdir / f"redis-{self.port}.log").open("ab")
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=real_clock_env())
        log.close()
        try:
            wait_until(self.client().ping, f"redis-server on port {self.port}")
        except BaseException:
            self.kill()  # never leave a half-started server behind
            raise

    def kill(self) -> None:
        """SIGKILL: no goodbye to clients or to the cluster."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def cluster_info(self) -> dict[str, str]:
        """``CLUSTER INFO`` of this node."""
        raw = self.client().execute_command("CLUSTER", "INFO")
        text = raw.decode() if isinstance(raw, bytes) else str(raw)
        return dict(line.split(":", 1) for line in text.split() if ":" in line)

    def client(self) -> redis.Redis:
        """A short-timeout client of this node alone."""
        return redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=2)


@dataclass
class PrivateRedis:
    """A redis-server of this test alone, which the test may stop and start again on the same port."""

    port: int = field(default_factory=free_port)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="altslot-redis-")))

    def __post_init__(self) -> None:
        self.node = Node(self.port, self.workdir)

    @property
    def url(self) -> str:
        """``redis://`` URL of database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (or restart, empty) the server."""
        self.node.start()

    def stop(self) -> None:
        """Kill the server."""
        self.node.kill()

    def close(self) -> None:
        """Kill it and remove its directory."""
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


@dataclass
class Cluster:
    """A real Redis Cluster: ``masters`` primaries, each with ``replicas`` replicas."""

    masters: int = 3
    replicas: int = 0
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="altslot-cluster-")))
    nodes: list[Node] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The ``redis+cluster://`` seed list altslot is configured with (two seeds suffice)."""
        return "redis+cluster://" + ",".join(f"127.0.0.1:{n.port}" for n in self.nodes[:2])

    def start(self) -> None:
        """Start the nodes, join them into one cluster and wait until every node says ``ok``."""
        for _ in range(self.masters * (1 + self.replicas)):
            node = Node(free_port(), self.workdir, cluster_port=free_port())
            self.nodes.append(node)
            node.start()
        create = [binary("redis-cli"), "--cluster", "create"]
        create += [f"127.0.0.1:{n.port}" for n in self.nodes]
        create += ["--cluster-replicas", str(self.replicas), "--cluster-yes"]
        done = subprocess.run(create, capture_output=True, timeout=60, check=False, env=real_clock_env())
        if done.returncode != 0:
            pytest.fail(f"redis-cli --cluster create failed: {done.stdout.decode()[-500:]}")
        wait_until(self.healthy, "the cluster to agree on its state")

    def healthy(self) -> bool:
        """Every live node reports ``cluster_state:ok`` and knows every other live node."""
        live = [n for n in self.nodes if n.process is not None]
        for node in live:
            info = node.cluster_info()
            if info.get("cluster_state") != "ok" or int(info.get("cluster_known_nodes", 0)) < len(live):
                return False
            replication = node.client().info("replication")
            if replication.get("role") == "slave" and replication.get("master_link_status") != "up":
                return False
        return True

    def master_of(self, key: str) -> Node:
        """The live node serving ``key``'s slot right now."""
        client = self.client()
        try:
            found = client.get_node_from_key(key)
        finally:
            client.close()
        return next(n for n in self.nodes if n.port == int(found.port))

    def client(self) -> RedisCluster:
        """A synchronous cluster client (for checks and clean-up)."""
        seeds = [ClusterNode("127.0.0.1", n.port) for n in self.nodes if n.process is not None]
        return RedisCluster(startup_nodes=seeds, socket_connect_timeout=1, socket_timeout=2)

    def close(self) -> None:
        """Kill every node and remove the directory."""
        for node in self.nodes:
            node.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def sync_client(url: str) -> redis.Redis | RedisCluster:
    """A synchronous client for a test URL (``redis://…`` or ``redis+cluster://…``), for clean-up."""
    if url.startswith("redis+cluster://"):
        seeds = url.removeprefix("redis+cluster://").split(",")
        nodes = [ClusterNode(s.rsplit(":", 1)[0], int(s.rsplit(":", 1)[1])) for s in seeds]
        return RedisCluster(startup_nodes=nodes, socket_connect_timeout=1, socket_timeout=2)
    return redis.Redis.from_url(url, socket_connect_timeout=1)
