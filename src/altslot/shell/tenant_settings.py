"""The ``[tenants.<name>]`` sections of the configuration: one business each, with its hours and services.

Read and checked here; turned into ``altslot.types.Tenant`` values by ``altslot.shell.tenants``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time
from typing import Annotated, Literal

import phonenumbers
from pydantic import Field, SecretStr, field_validator, model_validator

from altslot.shell.sections import Section, http_url
from altslot.types import Language, is_time_zone

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class HolidaySettings(Section):
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


class EventTypeSettings(Section):
    id: Annotated[int, Field(gt=0)]
    length: Annotated[int | None, Field(gt=0, le=1440)] = None
    # Cal.com takes a hold's slotDuration only for event types with several lengths (metadata.multipleDuration).
    variable_length: bool = False


class ServiceSettings(Section):
    id: Annotated[int, Field(gt=0)]
    aliases: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default_factory=list)


class TenantSettings(Section):
    tokens: list[SecretStr] = Field(default_factory=list)
    tokens_env: str | None = None
    calcom_api_key: SecretStr | None = None
    calcom_api_key_env: str | None = None
    calcom_base_url: str | None = None
    time_zone: str = "UTC"
    language: Language = "de"
    workdays: list[str] = Field(default_factory=lambda: ["mon", "tue", "wed", "thu", "fri"])
    business_hours: dict[str, str] = Field(default_factory=lambda: {"start": "09:00", "end": "18:00"})
    holidays: HolidaySettings | None = None
    country: str | None = None
    minimum_notice_minutes: Annotated[int, Field(ge=0)] = 0
    booking_window_days: Annotated[int, Field(ge=0, le=366)] | None = None
    event_types: list[Annotated[int, Field(gt=0)] | EventTypeSettings] = Field(default_factory=list)
    webhook_secret: SecretStr | None = None
    webhook_secret_env: str | None = None
    # Voice and chat agents (docs/voice-agents.md): services by name, how clock times are spoken, and
    # the secrets each platform authenticates with.
    services: dict[
        Annotated[str, Field(min_length=1, max_length=100)], Annotated[int, Field(gt=0)] | ServiceSettings
    ] = Field(default_factory=dict)
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
