"""The ``altslot`` Typer app and what every command shares: one-line failures, settings, the injected clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from altslot.shell.config import ConfigError, Settings, load_settings

app = typer.Typer(
    help="altslot: verified alternative appointment times in front of the Cal.com API.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="TOML config file (default: $ALTSLOT_CONFIG).")
]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one error line and exit."""
    typer.echo(f"altslot: {message}", err=True)
    raise typer.Exit(code)


def _clock(ctx: typer.Context) -> Callable[[], datetime] | None:
    """The wall clock a caller injected as the context object (``CliRunner().invoke(app, obj=clock)``), if any."""
    return ctx.obj if callable(ctx.obj) else None


def _settings(config: Path | None, *, require_tenants: bool = True) -> Settings:
    try:
        return load_settings(config, require_tenants=require_tenants)
    except ConfigError as exc:
        fail(f"config: {exc}")
