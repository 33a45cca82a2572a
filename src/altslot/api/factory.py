"""An import-string entry for uvicorn workers: each process builds its own runtime from the config."""

from __future__ import annotations

from typing import Any

from altslot.api.app import create_app
from altslot.observability.logs import configure_logging
from altslot.shell.config import load_settings
from altslot.shell.runtime import build_runtime


def app_from_env() -> Any:
    """Build the app from ``$ALTSLOT_CONFIG`` and the environment."""
    settings = load_settings()
    configure_logging(settings.observability.log_format)
    return create_app(build_runtime(settings))
