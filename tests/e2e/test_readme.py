"""The README's first screen is true: its demo command runs and its curl example gets the documented answer."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import free_port

README = Path(__file__).parents[2] / "README.md"


def readme_block(language: str, containing: str) -> str:
    """The first fenced block of ``language`` in the README that contains ``containing``."""
    for block in re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S):
        if containing in block:
            return str(block)
    raise AssertionError(f"no ```{language} block with {containing!r} in the README")


@contextmanager
def demo(tmp_path: Path) -> Iterator[int]:
    """``altslot demo`` as the README runs it, on spare ports."""
    port, sim_port = free_port(), free_port()
    command = [sys.executable, "-m", "altslot", "demo", "--port", str(port), "--sim-port", str(sim_port)]
    log = tmp_path / "demo.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"altslot demo did not start: {log.read_text()}")
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_readme_names_the_two_commands() -> None:
    """The first screen gives one command for the demo and one for the tests, and CI runs the latter."""
    commands = readme_block("sh", "make demo")
    assert "make demo" in commands
    assert "make check" in commands
    assert "make check" in (README.parent / ".ci" / "run").read_text()


def test_readme_curl_example_answers_as_documented(tmp_path: Path) -> None:
    """The README's curl, sent to a running demo, returns the documented response shape."""
    curl = readme_block("sh", "curl")
    documented = readme_block("json", '"available"')
    with demo(tmp_path) as port:
        command = curl.replace("localhost:8000", f"127.0.0.1:{port}")
        output = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60, check=True)
    answer = json.loads(output.stdout)
    for key in re.findall(r'"(\w+)":', documented):
        assert key in json.dumps(answer), f"README documents {key!r} but the answer lacks it"
    assert answer["response_text"]
    assert "\n" not in answer["response_text"]
    assert answer["search"]["upstream_calls"] <= 1
