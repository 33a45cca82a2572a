"""The README's first screen is true: its demo command runs and its curl example gets the documented answer."""

from __future__ import annotations

import json
import re
import subprocess
from contextlib import AbstractContextManager
from pathlib import Path

from tests.support.processes import altslot_process
from tests.support.redis_servers import free_port

README = Path(__file__).parents[2] / "README.md"


def readme_block(language: str, containing: str) -> str:
    """The first fenced block of ``language`` in the README that contains ``containing``."""
    for block in re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S):
        if containing in block:
            return str(block)
    raise AssertionError(f"no ```{language} block with {containing!r} in the README")


def demo(tmp_path: Path) -> AbstractContextManager[str]:
    """``altslot demo`` as the README runs it, on spare ports."""
    port, sim_port = free_port(), free_port()
    return altslot_process(["demo", "--port", str(port), "--sim-port", str(sim_port)], port, tmp_path / "demo.log")


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
    with demo(tmp_path) as url:
        command = curl.replace("http://localhost:8000", url).replace("localhost:8000", url)
        output = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60, check=True)
    answer = json.loads(output.stdout)
    for key in re.findall(r'"(\w+)":', documented):
        assert key in json.dumps(answer), f"README documents {key!r} but the answer lacks it"
    assert answer["response_text"]
    assert "\n" not in answer["response_text"]
    assert answer["search"]["upstream_calls"] <= 1
