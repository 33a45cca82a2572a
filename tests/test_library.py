"""altslot as a library: a small typed surface that imports no service dependencies."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import altslot

README = Path(__file__).parents[1] / "README.md"
SERVICE_LIBRARIES = ("httpx", "redis", "limits", "stamina")


def _block(language: str, containing: str) -> str:
    """The first fenced ``language`` block of the README that contains ``containing``."""
    for block in re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S):
        if containing in block:
            return str(block)
    raise AssertionError(f"no ```{language} block with {containing!r} in the README")


def test_import_altslot_loads_no_service_library() -> None:
    """A fresh ``import altslot`` loads none of httpx, redis, limits or stamina."""
    code = (
        "import json, sys, altslot; "
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {SERVICE_LIBRARIES!r})))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(output.stdout) == []


def test_exported_members() -> None:
    """Every name in ``altslot.__all__`` exists and is altslot's own (httpx's check)."""
    for name in altslot.__all__:
        member = getattr(altslot, name)
        if name != "__version__":
            assert member.__module__.startswith("altslot."), name
    assert sorted(altslot.__all__) == altslot.__all__


def test_package_is_typed() -> None:
    """The package ships ``py.typed``, so type checkers read its annotations."""
    assert (Path(altslot.__file__).parent / "py.typed").is_file()


def test_readme_library_example_prints_what_it_documents() -> None:
    """The README's "As a library" example runs and prints the sentence shown under it."""
    code = _block("python", "find_alternatives(")
    printed = _block("text", "I can offer you")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout == printed
