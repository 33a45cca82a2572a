"""Configuration: a TOML file, overridden by ``ALTSLOT_*`` environment variables.

Every key is documented in ``docs/configuration.md``. ``load_settings`` turns any problem into one
``ConfigError`` line that names the key, so the CLI can print it and exit with code 2.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal

import phonenumbers
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, SettingsError

from altslot.observability import ObservabilitySettings
from altslot.shared.redis_url import check_redis_url
from altslot.shell.http_settings import ServerSettings
from altslot.types import Language, is_time_zone
from altslot.upstream.guard import ResilienceSettings

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line naming the key and the problem."""


def http_url(value: str) -> str:
    """An ``http(s)://`` URL without a trailing slash (ValueError otherwise)."""
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value.rstrip("/")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CalcomSettings(_Section):
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


class CacheSettings(_Section):
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


class WarmSettings(_Section):
    enabled: bool = False
    days: Annotated[int, Field(ge=1, le=60)] = 14
    interval_seconds: Annotated[float, Field(ge=1)] = 45.0


class SearchSettings(_Section):
    horizon_days: Annotated[int, Field(ge=1, le=60)] = 14
    max_alternatives: Annotated[int, Field(ge=1, le=10)] = 2
    deadline_seconds: Annotated[float, Field(gt=0, le=60)] = 5.0
    time_window_hours: Annotated[int, Field(ge=1, le=12)] = 2
    max_holds_per_search: Annotated[int, Field(ge=1, le=10)] = 3
    max_live_holds: Annotated[int, Field(ge=1, le=500)] = 20


class McpSettings(_Section):
    """The MCP endpoint at ``/mcp`` (docs/mcp.md)."""

    enabled: bool = True
    # DNS-rebinding protection: behind a real hostname add it here, or every request is 421.
    allowed_hosts: list[str] = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    allowed_origins: list[str] = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    # Handshake-era clients then need no sticky sessions: every request stands alone.
    stateless: bool = True
    public_url: str = "http://localhost:8000"


class HolidaySettings(_Section):
    country: str
    subdivision: str | None = None

    @model_validator(mode="after")
    def _known(self) -> HolidaySettings:
        import holidays

        try:
            holidays.country_holidays(self.country, subdiv=self.subdivision)
        except NotImplementedError as exc:
            raise ValueError(f"unknown holiday calendar {self.country}/{self.subdivision}") from exc
        return self


class EventTypeSettings(_Section):
    id: Annotated[int, Field(gt=0)]
    length: Annotated[int | None, Field(gt=0, le=1440)] = None
    # Cal.com takes a hold's slotDuration only for event types with several lengths (metadata.multipleDuration).
    variable_length: bool = False


class ServiceSettings(_Section):
    id: Annotated[int, Field(gt=0)]
    aliases: list[Annotated[str, Field(min_length=1, max_length=100)]] = []


class TenantSettings(_Section):
    tokens: list[SecretStr] = []
    tokens_env: str | None = None
    calcom_api_key: SecretStr | None = None
    calcom_api_key_env: str | None = None
    calcom_base_url: str | None = None
    time_zone: str = "UTC"
    language: Language = "de"
    workdays: list[str] = ["mon", "tue", "wed", "thu", "fri"]
    business_hours: dict[str, str] = {"start": "09:00", "end": "18:00"}
    holidays: HolidaySettings | None = None
    country: str | None = None
    minimum_notice_minutes: Annotated[int, Field(ge=0)] = 0
    booking_window_days: Annotated[int, Field(ge=0, le=366)] | None = None
    event_types: list[Annotated[int, Field(gt=0)] | EventTypeSettings] = []
    webhook_secret: SecretStr | None = None
    webhook_secret_env: str | None = None
    # Voice and chat agents (docs/voice-agents.md): services by name, how clock times are spoken, and
    # the secrets each platform authenticates with.
    services: dict[
        Annotated[str, Field(min_length=1, max_length=100)], Annotated[int, Field(gt=0)] | ServiceSettings
    ] = {}
    spoken_time: Literal["formal", "informal"] = "informal"
    retell_api_key: SecretStr | None = None
    retell_api_key_env: str | None = None
    vapi_secret: SecretStr | None = None
    vapi_secret_env: str | None = None
    elevenlabs_token: SecretStr | None = None
    elevenlabs_token_env: str | None = None

    def caller_tokens(self, env: Mapping[str, str]) -> list[str]:
        """The caller tokens listed in the file plus those of ``tokens_env`` (comma-separated)."""
        raw = [t.get_secret_value() for t in self.tokens]
        if self.tokens_env:
            raw += [t.strip() for t in env.get(self.tokens_env, "").split(",") if t.strip()]
        return raw

    @field_validator("calcom_base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        return None if value is None else http_url(value)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if not is_time_zone(value):
            raise ValueError(f"unknown time zone {value!r}")
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is not None and value.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown country {value!r} (use an ISO 3166 code like 'DE')")
        return value.upper() if value else None

    @field_validator("workdays")
    @classmethod
    def _weekdays(cls, value: list[str]) -> list[str]:
        wrong = [d for d in value if d not in WEEKDAYS]
        if wrong:
            raise ValueError(f"unknown weekday {wrong[0]!r} (use {', '.join(WEEKDAYS)})")
        return value

    @field_validator("business_hours")
    @classmethod
    def _hours(cls, value: dict[str, str]) -> dict[str, str]:
        opening_hours(value, list(WEEKDAYS))  # raises ValueError with the reason
        return value

    @model_validator(mode="after")
    def _services_owned(self) -> TenantSettings:
        owned = self.event_type_ids()
        for name, service in self.services.items():
            wanted = service if isinstance(service, int) else service.id
            if wanted not in owned:
                raise ValueError(f"services.{name}: event type {wanted} is not in event_types")
        return self

    def hours(self) -> dict[int, tuple[time, time]]:
        """Opening hours per Python weekday (Monday = 0) on the configured workdays."""
        return opening_hours(self.business_hours, self.workdays)

    def phone_region(self) -> str | None:
        """Where national phone numbers are read: ``country``, else the holiday calendar's country."""
        return self.country or (self.holidays.country.upper() if self.holidays else None)

    def variable_length_ids(self) -> frozenset[int]:
        """Event types marked ``variable_length`` (holds send their slotDuration)."""
        return frozenset(i.id for i in self.event_types if isinstance(i, EventTypeSettings) and i.variable_length)

    def event_type_ids(self) -> dict[int, int | None]:
        """Owned event type ids mapped to their configured length (None: learn it from Cal.com)."""
        out: dict[int, int | None] = {}
        for item in self.event_types:
            if isinstance(item, int):
                out[item] = None
            else:
                out[item.id] = item.length
        return out


def _clock(text: str) -> time:
    if text == "24:00":
        return time.max
    return time.fromisoformat(text)


def opening_hours(spec: Mapping[str, str], workdays: list[str]) -> dict[int, tuple[time, time]]:
    """Parse ``{start, end}`` or ``{mon = "09:00-18:00", ...}`` into hours per Python weekday."""
    if set(spec) == {"start", "end"}:
        text = f"{spec['start']}-{spec['end']}"
        per_day = {day: text for day in workdays}
    else:
        wrong = [k for k in spec if k not in WEEKDAYS]
        if wrong:
            raise ValueError(f"use {{start, end}} or weekday keys, not {wrong[0]!r}")
        per_day = {day: text for day, text in spec.items() if day in workdays}
    hours: dict[int, tuple[time, time]] = {}
    for day, text in per_day.items():
        match = _HOURS.match(text)
        if not match:
            raise ValueError(f"{day}: {text!r} is not HH:MM-HH:MM")
        opens, closes = _clock(text[:5]), _clock(text[6:])
        if closes <= opens:
            raise ValueError(f"{day}: closing time must be after opening time")
        hours[WEEKDAYS.index(day)] = (opens, closes)
    return hours


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
