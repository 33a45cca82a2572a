"""Configuration: a TOML file, overridden by ``ALTSLOT_*`` environment variables.

Every key is documented in ``docs/configuration.md``. ``load_settings`` turns any problem into one
``ConfigError`` line that names the key, so the CLI can print it and exit with code 2.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, SettingsError

from altslot.observability import ObservabilitySettings
from altslot.shared.redis_url import check_redis_url
from altslot.shell.http_settings import ServerSettings
from altslot.shell.sections import Section, http_url
from altslot.shell.tenant_settings import TenantSettings
from altslot.upstream.guard import ResilienceSettings


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line naming the key and the problem."""


class CalcomSettings(Section):
    base_url: str = "https://api.cal.com"
    slots_api_version: str = "2024-09-04"
    bookings_api_version: str = "2024-08-13"
    timeout_seconds: Annotated[float, Field(gt=0, le=60)] = 4.0
    max_range_days: Annotated[int, Field(ge=1, le=62)] = 31
    max_connections: Annotated[int, Field(ge=1, le=1000)] = 50

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return http_url(value)


class CacheSettings(Section):
    backend: Literal["memory", "redis"] = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    fresh_ttl_seconds: Annotated[float, Field(gt=0)] = 60.0
    max_stale_seconds: Annotated[float, Field(ge=0)] = 900.0
    max_entries: Annotated[int, Field(ge=1)] = 100_000
    redis_required: bool = False
    lease_seconds: Annotated[float, Field(gt=0, le=300)] = 15.0

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        return check_redis_url(value)  # the one check of redis_url: schemes, cluster seed lists, options


class WarmSettings(Section):
    enabled: bool = False
    days: Annotated[int, Field(ge=1, le=60)] = 14
    interval_seconds: Annotated[float, Field(ge=1)] = 45.0


class SearchSettings(Section):
    horizon_days: Annotated[int, Field(ge=1, le=60)] = 14
    max_alternatives: Annotated[int, Field(ge=1, le=10)] = 2
    deadline_seconds: Annotated[float, Field(gt=0, le=60)] = 5.0
    time_window_hours: Annotated[int, Field(ge=1, le=12)] = 2
    max_holds_per_search: Annotated[int, Field(ge=1, le=10)] = 3
    max_live_holds: Annotated[int, Field(ge=1, le=500)] = 20


class McpSettings(Section):
    """The MCP endpoint at ``/mcp`` (docs/mcp.md)."""

    enabled: bool = True
    # DNS-rebinding protection: behind a real hostname add it here, or every request is 421.
    allowed_hosts: list[str] = Field(default_factory=lambda: ["127.0.0.1:*", "localhost:*", "[::1]:*"])
    allowed_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    )
    # Handshake-era clients then need no sticky sessions: every request stands alone.
    stateless: bool = True
    public_url: str = "http://localhost:8000"


class Settings(BaseSettings):
    """The whole configuration; environment variables (``ALTSLOT_SECTION__KEY``) beat the file."""

    model_config = SettingsConfigDict(env_prefix="ALTSLOT_", env_nested_delimiter="__", extra="forbid", frozen=True)

    calcom: CalcomSettings = CalcomSettings()
    cache: CacheSettings = CacheSettings()
    search: SearchSettings = SearchSettings()
    warm: WarmSettings = WarmSettings()
    resilience: ResilienceSettings = ResilienceSettings()
    observability: ObservabilitySettings = ObservabilitySettings()
    server: ServerSettings = ServerSettings()
    mcp: McpSettings = McpSettings()
    tenants: dict[str, TenantSettings] = {}

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file arrives as init data; putting env first makes every variable override it.
        return env_settings, init_settings


def _location(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if not str(p).startswith(("function-", "constrained-"))]
    return ".".join(p for p in parts if p not in {"int", "EventTypeSettings", "str"}) or "(root)"


def _one_line(exc: ValidationError) -> str:
    first = exc.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{_location(tuple(first['loc']))}: {message}"


def load_settings(path: Path | None = None, *, require_tenants: bool = True) -> Settings:
    """Read the TOML file (``path`` or ``$ALTSLOT_CONFIG``), apply env overrides, validate everything.

    Only ``stats`` reads a config without tenants (``require_tenants=False``): serving one is an error.
    """
    env = os.environ
    if path is None and env.get("ALTSLOT_CONFIG"):
        path = Path(env["ALTSLOT_CONFIG"])
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{path}: not UTF-8 (byte {exc.start})") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from exc
    except SettingsError as exc:
        # An ALTSLOT_* variable holding a whole section that is not JSON.
        raise ConfigError(str(exc).split(" from source")[0]) from exc
    if require_tenants and not settings.tenants:
        raise ConfigError("tenants: configure at least one tenant ([tenants.NAME] with tokens and event_types)")
    for name, tenant in settings.tenants.items():
        _check_secrets(name, tenant, env)
    check_unique_tokens(settings, env)
    return settings


def check_unique_tokens(settings: Settings, env: Mapping[str, str]) -> None:
    """A caller token names one tenant: a token listed twice would silently act as whichever came last."""
    owner: dict[str, str] = {}
    for name, tenant in settings.tenants.items():
        for token in tenant.caller_tokens(env):
            other = owner.setdefault(token, name)
            if other != name:
                raise ConfigError(f"tenants.{name}.tokens: a caller token of tenant {other!r} is listed here too")


def _check_secrets(name: str, tenant: TenantSettings, env: Mapping[str, str]) -> None:
    for key in ("tokens", "calcom_api_key", "webhook_secret", "retell_api_key", "vapi_secret", "elevenlabs_token"):
        var = getattr(tenant, f"{key}_env")
        if var is not None and not env.get(var):
            raise ConfigError(f"tenants.{name}.{key}_env: environment variable {var} is not set")
    if not tenant.tokens and tenant.tokens_env is None:
        raise ConfigError(f"tenants.{name}.tokens: at least one caller token is required")
    if not tenant.event_types:
        raise ConfigError(f"tenants.{name}.event_types: list at least one Cal.com event type id")
