"""The ``altslot`` command line: parse, call, print. Logic lives elsewhere.

The commands are in ``service`` (what runs altslot) and ``measure`` (what looks at it); importing them registers
them on the one Typer ``app``.
"""

from __future__ import annotations

import sys

from altslot.commands import service  # registered first: the commands that run altslot lead ``--help``
from altslot.commands.app import app

# isort: split
from altslot.commands import measure

__all__ = ["app", "main", "measure", "service"]


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
