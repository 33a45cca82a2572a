"""A real Prometheus for tests: Debian's binary, its own config, loopback port and temporary storage."""

from __future__ import annotations

import math
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.redis_servers import free_port

SCRAPE_SECONDS = 1
WAIT_CAP_SECONDS = 20.0


@dataclass
class Prometheus:
    """A running Prometheus and its HTTP API."""

    url: str
    http: httpx.Client

    def query(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        """An instant query's vector (fails the test when Prometheus rejects the expression)."""
        params: dict[str, Any] = {"query": expr}
        if at is not None:
            params["time"] = f"{at:.3f}"
        answer = self.http.get(f"{self.url}/api/v1/query", params=params).json()
        assert answer["status"] == "success", f"{expr}: {answer.get('error')}"
        result: list[dict[str, Any]] = answer["data"]["result"]
        return result

    def value(self, expr: str, at: float | None = None) -> float:
        """The single value of ``expr`` (NaN when it has no series)."""
        result = self.query(expr, at)
        assert len(result) <= 1, f"{expr} has {len(result)} series"
        return float(result[0]["value"][1]) if result else math.nan

    def wait_for(self, expr: str, done: Callable[[float], bool]) -> float:
        """Poll until ``done(value of expr)`` — scrapes are asynchronous — within a fixed cap."""
        deadline = time.monotonic() + WAIT_CAP_SECONDS
        while True:
            found = self.value(expr)
            if done(found):
                return found
            if time.monotonic() > deadline:
                pytest.fail(f"Prometheus: {expr} is still {found} after {WAIT_CAP_SECONDS} s")
            time.sleep(0.2)

    def last_scrape(self, job: str) -> float:
        """The timestamp of the job's latest scrape (every series of one scrape carries it)."""
        return self.value(f'timestamp(up{{job="{job}"}})')


@contextmanager
def prometheus(job: str, target: str, directory: Path) -> Iterator[Prometheus]:
    """Prometheus scraping ``target`` every second as ``job``; stopped and its storage left in ``directory``."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("the prometheus binary is required (.ci/run installs Debian's package)")
    config = directory / "prometheus.yml"
    config.write_text(
        f"global:\n  scrape_interval: {SCRAPE_SECONDS}s\n  scrape_timeout: {SCRAPE_SECONDS}s\n"
        f"scrape_configs:\n  - job_name: {job}\n    static_configs:\n      - targets: ['{target}']\n"
    )
    port = free_port()
    args = [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={directory / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--log.level=warn",
    ]
    with (directory / "prometheus.log").open("wb") as log:
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    http = httpx.Client(timeout=10)
    try:
        deadline = time.monotonic() + WAIT_CAP_SECONDS
        while True:
            try:
                if http.get(f"{url}/-/ready").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"prometheus did not start: {(directory / 'prometheus.log').read_text()}")
            time.sleep(0.1)
        yield Prometheus(url, http)
    finally:
        http.close()
        process.terminate()
        process.wait(timeout=15)
