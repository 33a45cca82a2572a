"""Child processes on free loopback ports: the simulator, ``altslot serve`` and the bare ping app.

Every server runs in a process of its own, never a thread of the load generator: sharing the interpreter
would measure GIL hand-offs instead of the server (see ``altslot.bench.micro.simulator``). `Fleet` always stops what
it started, also when a benchmark fails half-way.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol

import httpx

from altslot.bench.world import write_json


class ConfigFile(Protocol):
    """What ``altslot serve`` is started with: anything that writes its config file (``ServiceConfig``)."""

    def toml(self) -> str:
        """The config file text."""
        ...


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


SEARCH_LOG_VARIABLE = "ALTSLOT_OBSERVABILITY__SEARCH_LOG_URL"


class Child:
    """One server process and its base URL."""

    def __init__(
        self,
        name: str,
        command: list[str],
        port: int,
        ready_path: str,
        log: IO[bytes],
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, env=env)
        self._ready_path = ready_path

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.process.pid

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Poll the readiness path until it answers 200; raise if the child dies or takes too long."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(self.url + self._ready_path, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start (exit code {self.process.poll()})")
            time.sleep(0.05)

    def stop(self) -> None:
        """Terminate, and kill when it does not exit within 10 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class Fleet(AbstractContextManager["Fleet"]):
    """Starts children with their config files in ``workdir`` and stops them all on exit."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.children: list[Child] = []
        self._log = (workdir / "children.log").open("ab")

    def _start(self, name: str, args: list[str], ready_path: str, env: Mapping[str, str] | None = None) -> Child:
        port = free_port()
        command = [sys.executable, "-m", "altslot", *args, "--port", str(port)]
        child = Child(name, command, port, ready_path, self._log, env)
        self.children.append(child)
        return child

    def simulator(self, data: dict[str, Any], latency_ms: int, rate_limit: int = 10**9) -> Child:
        """``altslot calcom-sim`` serving ``data`` with a fixed latency."""
        path = write_json(self.workdir / f"sim-{len(self.children)}.json", data)
        args = ["calcom-sim", "--data", str(path), "--latency-ms", str(latency_ms)]
        return self._start("simulator", [*args, "--rate-limit", str(rate_limit)], "/_sim/stats")

    def service(self, config: ConfigFile, workers: int = 1, env: Mapping[str, str] | None = None) -> Child:
        """``altslot serve --config FILE --workers N`` as an operator would run it (``env``: its environment).

        Its search log is the default SQLite one, but in ``workdir``: a benchmark writes hundreds of thousands of
        rows, which must not pile up in the user's state directory.
        """
        number = len(self.children)
        path = self.workdir / f"altslot-{number}.toml"
        path.write_text(config.toml(), encoding="utf-8")
        args = ["serve", "--config", str(path), "--workers", str(workers)]
        log = f"sqlite:///{self.workdir / f'searches-{number}.db'}"
        return self._start("altslot", args, "/healthz", {**(env or os.environ), SEARCH_LOG_VARIABLE: log})

    def ping(self) -> Child:
        """The bare FastAPI ping app, served by uvicorn with the same defaults as ``altslot serve``."""
        port = free_port()
        command = [sys.executable, "-m", "altslot.bench.ping", str(port)]
        child = Child("ping", command, port, "/healthz", self._log)
        self.children.append(child)
        return child

    def ready(self) -> None:
        """Wait for every child started so far."""
        for child in self.children:
            child.wait_ready()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        for child in reversed(self.children):
            child.stop()
        self._log.close()


def rss_kib(pid: int) -> int | None:
    """Resident set size of a process in KiB (Linux ``/proc``), or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def pid_listening_on(port: int) -> int | None:
    """The process listening on a loopback TCP port (Linux ``/proc``), or None when it cannot be found."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    targets = {f"socket:[{inode}]" for inode in inodes}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if fd.readlink().as_posix() in targets:
                    return int(proc.name)
        except OSError:
            continue
    return None
