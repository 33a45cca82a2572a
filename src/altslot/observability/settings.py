"""The ``[observability]`` config section."""

from __future__ import annotations

import re
from typing import Annotated, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

_URL = re.compile(r"^[a-z][a-z0-9+]*://")
_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def default_search_log_url() -> str:
    """A SQLite file in the user's state directory (``$XDG_STATE_HOME/altslot``), never the working directory."""
    return f"sqlite:///{platformdirs.user_state_path('altslot') / 'searches.db'}"


class ObservabilitySettings(BaseModel):
    """Metrics, the per-search log line and the search log table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metrics: bool = True
    search_log_url: str = Field(default_factory=default_search_log_url)
    search_log_table: str = "appointment_alternative_logs"
    search_log_retention_days: Annotated[int, Field(ge=0)] = 30
    search_log_flush_seconds: Annotated[float, Field(gt=0, le=300)] = 2.0
    search_log_queue: Annotated[int, Field(ge=1)] = 10_000
    log_format: Literal["json", "console"] = "json"
    metrics_token: SecretStr | None = None

    @field_validator("search_log_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not _URL.match(value):
            raise ValueError("must be a SQLAlchemy URL like sqlite:///file.db or postgresql+psycopg://…")
        if value and not value.startswith(("sqlite", "postgresql")):
            # Anything else would start with the search log silently off: only these two are supported.
            raise ValueError("must be a sqlite:// or postgresql+psycopg:// URL")
        return value

    @field_validator("search_log_table")
    @classmethod
    def _table(cls, value: str) -> str:
        if not _TABLE.match(value):
            raise ValueError("must be a plain SQL identifier (letters, digits, _)")
        return value
