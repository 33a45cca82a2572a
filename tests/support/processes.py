"""altslot in a process of its own, for the tests that need a real command line."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest


@contextmanager
def altslot_process(args: list[str], port: int, log: Path) -> Iterator[str]:
    """``python -m altslot ARGS`` in a process of its own; yields its URL once ``/healthz`` answers."""
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "altslot", *args], stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"altslot {args[0]} did not start: {log.read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)
