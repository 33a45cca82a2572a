"""The ``[server]`` config section: slow clients, shutdown, failed-authentication limits, API documents."""

from __future__ import annotations

from typing import Annotated

from limits import parse
from pydantic import BaseModel, ConfigDict, Field, field_validator


class ServerSettings(BaseModel):
    """How the HTTP server treats slow, stalled and unauthenticated clients."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    read_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0
    graceful_shutdown_seconds: Annotated[int, Field(ge=1, le=600)] = 10
    failed_auth_limit: str = "30/minute"
    expose_docs: bool = False

    @field_validator("failed_auth_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate like 30/minute") from exc
        return value
