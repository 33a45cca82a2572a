"""Tool definitions to paste into Retell, Vapi, ElevenLabs or an OpenAI session, for one tenant.

One description of the four tools (in the tenant's language) rendered into each platform's JSON.
Secrets are never filled in: the auth headers carry placeholders the builder replaces in the platform.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from altslot.tools.arguments import TOOL_NAMES, ToolName
from altslot.types import Language

Platform = Literal["retell", "vapi", "elevenlabs", "openai"]
PLATFORMS: tuple[Platform, ...] = ("retell", "vapi", "elevenlabs", "openai")
VAPI_SECRET_PLACEHOLDER = "<VAPI_SECRET>"
ELEVENLABS_TOKEN_PLACEHOLDER = "<ELEVENLABS_TOKEN>"
# What the agent says while a tool runs (Retell speaks it once, at the start; Vapi as request-start).
FILLER: Mapping[Language, str] = {
    "de": "Einen Moment bitte, ich schaue nach.",
    "en": "One moment please, let me check.",
}


@dataclass(frozen=True)
class Param:
    """One argument: its JSON type, whether the tool needs it, its description per language."""

    name: str
    description: Mapping[Language, str]
    type: str = "string"
    enum: Sequence[str] = ()


_P = {
    "date": Param("date", {"de": "Datum, YYYY-MM-DD oder TT.MM.JJJJ", "en": "Date, YYYY-MM-DD or DD.MM.YYYY"}),
    "time": Param("time", {"de": "Gewünschte Uhrzeit, HH:MM (24 Stunden)", "en": "Wished time, HH:MM (24-hour)"}),
    "service": Param("service", {"de": "Dienstleistung", "en": "Service"}),
    "duration_minutes": Param(
        "duration_minutes",
        {"de": "Dauer in Minuten, nur wenn abweichend", "en": "Length in minutes, if not the usual"},
        "integer",
    ),
    "preferred_window": Param(
        "preferred_window",
        {"de": "Bevorzugte Tageszeit", "en": "Preferred time of day"},
        enum=("morning", "afternoon", "evening"),
    ),
    "start": Param(
        "start",
        {
            "de": "Ein angebotener Termin: das Feld start einer Alternative, unverändert",
            "en": "An offered time: the start field of an alternative, unchanged",
        },
    ),
    "name": Param("name", {"de": "Vor- und Nachname der Kundin oder des Kunden", "en": "The caller's full name"}),
    "phone": Param(
        "phone", {"de": "Telefonnummer (sonst die Anrufernummer)", "en": "Phone number (else the caller's)"}
    ),
    "email": Param("email", {"de": "E-Mail-Adresse, falls genannt", "en": "Email address, if given"}),
    "booking_uid": Param(
        "booking_uid", {"de": "Buchungsnummer (booking_uid der Buchung)", "en": "The booking's booking_uid"}
    ),
    "reason": Param("reason", {"de": "Grund, falls genannt", "en": "Reason, if given"}),
}

# tool → (description per language, parameters, required parameters)
_TOOLS: Mapping[ToolName, tuple[Mapping[Language, str], tuple[str, ...], tuple[str, ...]]] = {
    "check_availability": (
        {
            "de": "Prüft, ob der Wunschtermin frei ist; wenn nicht, nennt es die besten freien Alternativen. "
            "Sprich das Feld spoken; jede Alternative hat spoken_time.",
            "en": "Checks whether the wished time is free; if not, returns the best free alternatives. "
            "Say the spoken field; each alternative has a spoken_time.",
        },
        ("date", "time", "service", "duration_minutes", "preferred_window"),
        ("date", "time"),
    ),
    "book_appointment": (
        {
            "de": "Bucht einen Termin, am besten einen angebotenen (start). Erst buchen, wenn der Kunde zustimmt.",
            "en": "Books an appointment, best an offered one (start). Book only after the caller agreed.",
        },
        ("start", "date", "time", "service", "name", "phone", "email"),
        ("name",),
    ),
    "cancel_appointment": (
        {"de": "Storniert eine Buchung.", "en": "Cancels a booking."},
        ("booking_uid", "reason"),
        ("booking_uid",),
    ),
    "reschedule_appointment": (
        {
            "de": "Verlegt eine Buchung auf einen anderen (am besten angebotenen) Termin.",
            "en": "Moves a booking to another (best an offered) time.",
        },
        ("booking_uid", "start", "date", "time", "reason"),
        ("booking_uid",),
    ),
}


def _schema(tool: ToolName, language: Language, services: Sequence[str], strict: bool = False) -> dict[str, Any]:
    """The JSON Schema of a tool's arguments; ``strict`` is OpenAI's form (all listed, optional ⇒ nullable)."""
    _, names, required = _TOOLS[tool]
    properties: dict[str, Any] = {}
    for name in names:
        param = _P[name]
        text = param.description[language]
        if name == "service" and services:
            text = f"{text}: {', '.join(services)}"
        prop: dict[str, Any] = {"type": param.type, "description": text}
        if param.enum:
            prop["enum"] = list(param.enum)
        if strict and name not in required:
            prop["type"] = [param.type, "null"]
            if param.enum:
                prop["enum"] = [*param.enum, None]
        properties[name] = prop
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    schema["required"] = list(names) if strict else list(required)
    if strict:
        schema["additionalProperties"] = False
    return schema


@dataclass(frozen=True)
class _Target:
    """Where pasted tools send their calls, and for whom they speak."""

    base: str
    tenant: str
    language: Language
    services: Sequence[str]

    def schema(self, tool: ToolName, strict: bool = False) -> dict[str, Any]:
        return _schema(tool, self.language, self.services, strict)


def _retell(tool: ToolName, to: _Target) -> dict[str, Any]:
    return {
        "type": "custom",
        "name": tool,
        "description": describe_tool(tool, to.language),
        "url": f"{to.base}/integrations/retell/{to.tenant}",
        "method": "POST",
        "speak_during_execution": True,
        "execution_message_type": "static_text",
        "execution_message_description": FILLER[to.language],
        "speak_after_execution": True,
        "timeout_ms": 10_000,
        "parameters": to.schema(tool),
    }


def _vapi(tool: ToolName, to: _Target) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {"name": tool, "description": describe_tool(tool, to.language), "parameters": to.schema(tool)},
        "server": {
            "url": f"{to.base}/integrations/vapi/{to.tenant}",
            "timeoutSeconds": 20,
            "headers": {"Authorization": f"Bearer {VAPI_SECRET_PLACEHOLDER}"},
        },
        "messages": [{"type": "request-start", "content": FILLER[to.language]}],
    }


def _elevenlabs(tool: ToolName, to: _Target) -> dict[str, Any]:
    return {
        "type": "webhook",
        "name": tool,
        "description": describe_tool(tool, to.language),
        "response_timeout_secs": 20,
        "api_schema": {
            "url": f"{to.base}/integrations/elevenlabs/{to.tenant}/{tool}",
            "method": "POST",
            "request_headers": {"Authorization": f"Bearer {ELEVENLABS_TOKEN_PLACEHOLDER}"},
            "request_body_schema": to.schema(tool),
        },
    }


def _openai(tool: ToolName, to: _Target) -> dict[str, Any]:
    return {
        "type": "function",
        "name": tool,
        "description": describe_tool(tool, to.language),
        "parameters": to.schema(tool, strict=True),
        "strict": True,
    }


_RENDER: Mapping[Platform, Callable[[ToolName, _Target], dict[str, Any]]] = {
    "retell": _retell,
    "vapi": _vapi,
    "elevenlabs": _elevenlabs,
    "openai": _openai,
}


def tool_definitions(
    platform: Platform, tenant: str, base_url: str, language: Language, services: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The four tools as ``platform`` wants them pasted, pointed at ``base_url`` for ``tenant``."""
    target = _Target(base_url.rstrip("/"), tenant, language, services)
    return [_RENDER[platform](tool, target) for tool in TOOL_NAMES]


def describe_tool(tool: ToolName, language: Language) -> str:
    """The tool's description for a model, in ``language``."""
    return _TOOLS[tool][0][language]


def describe_param(name: str, language: Language) -> str:
    """An argument's description for a model, in ``language``."""
    return _P[name].description[language]
