"""Tool names and arguments as agents send them, made canonical.

LLMs fill arguments loosely: German names from the old agent (``datum``, ``uhrzeit``), numbers as
strings, dates as ``DD.MM.YYYY``. Everything here is pure; a value that cannot be read becomes a
``BadArgument`` naming the argument, which the tool layer turns into a spoken question.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Literal

ToolName = Literal["check_availability", "book_appointment", "cancel_appointment", "reschedule_appointment"]
TOOL_NAMES: tuple[ToolName, ...] = (
    "check_availability",
    "book_appointment",
    "cancel_appointment",
    "reschedule_appointment",
)

ALIASES: Mapping[str, str] = {
    "datum": "date",
    "uhrzeit": "time",
    "dienstleistung": "service",
    "telefon": "phone",
    "telefonnummer": "phone",
    "e_mail": "email",
    "dauer": "duration_minutes",
    "grund": "reason",
    "buchungsnummer": "booking_uid",
    "uid": "booking_uid",
    "system__conversation_id": "call_id",
    "conversation_id": "call_id",
    "system__caller_id": "caller_phone",
}
CANONICAL = frozenset(
    {
        "date",
        "time",
        "service",
        "duration_minutes",
        "preferred_window",
        "name",
        "phone",
        "email",
        "start",
        "booking_uid",
        "reason",
        "call_id",
        "caller_phone",
    }
)
_WINDOWS: Mapping[str, str] = {
    "morning": "morning",
    "vormittag": "morning",
    "vormittags": "morning",
    "morgens": "morning",
    "afternoon": "afternoon",
    "nachmittag": "afternoon",
    "nachmittags": "afternoon",
    "evening": "evening",
    "abend": "evening",
    "abends": "evening",
}
_SUFFIX = re.compile(r"_v\d+$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3])(?:[:.]([0-5]\d))?(?:\s*uhr)?$", re.IGNORECASE)


class BadArgument(Exception):
    """An argument is missing or cannot be read; ``reason`` is ``missing`` or ``invalid``."""

    def __init__(self, argument: str, reason: Literal["missing", "invalid"]) -> None:
        super().__init__(f"{argument}: {reason}")
        self.argument = argument
        self.reason = reason


def tool_name(name: str) -> ToolName | None:
    """The canonical tool for a function name (``check_availability_v3`` → ``check_availability``)."""
    bare = _SUFFIX.sub("", name.strip()).lower()
    for known in TOOL_NAMES:
        if bare == known:
            return known
    return None


def canonical_args(raw: Mapping[str, object]) -> dict[str, str]:
    """Known arguments under their canonical names, as stripped strings; empty values and extras dropped.

    A canonical name wins over its alias when a caller sends both.
    """
    out: dict[str, str] = {}
    for key, value in raw.items():
        name = ALIASES.get(key.lower(), key.lower())
        if name not in CANONICAL or value is None or isinstance(value, dict | list):
            continue
        text = str(value).strip()
        if text and (name not in out or key.lower() == name):
            out[name] = text
    return out


def parse_arguments(raw: object) -> Mapping[str, object]:
    """An argument object from a JSON object or a JSON string holding one (Vapi sends both)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return {}
    return raw if isinstance(raw, dict) else {}


def parse_date(text: str) -> date:
    """``YYYY-MM-DD`` or ``DD.MM.YYYY``; anything else (or an impossible date) raises ``BadArgument``."""
    iso, german = _ISO_DATE.match(text), _GERMAN_DATE.match(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if german:
            return date(int(german[3]), int(german[2]), int(german[1]))
    except ValueError:
        pass
    raise BadArgument("date", "invalid")


def parse_time(text: str) -> time:
    """``HH:MM`` (also ``H:MM``, ``14.30``, ``14 Uhr``); anything else raises ``BadArgument``."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise BadArgument("time", "invalid")
    return time(int(match[1]), int(match[2] or 0))


def parse_start(args: Mapping[str, str]) -> datetime:
    """The wanted start: an offered ``start`` (ISO) or ``date`` + ``time`` (wall time, naive)."""
    if "start" in args:
        try:
            return datetime.fromisoformat(args["start"].replace("Z", "+00:00"))
        except ValueError:
            raise BadArgument("start", "invalid") from None
    if "date" not in args:
        raise BadArgument("date", "missing")
    day = parse_date(args["date"])
    if "time" not in args:
        raise BadArgument("time", "missing")
    return datetime.combine(day, parse_time(args["time"]))


def parse_window(text: str | None) -> Literal["morning", "afternoon", "evening"] | None:
    """``morning``/``afternoon``/``evening`` or a German day-part word; unknown words are ignored."""
    found = _WINDOWS.get((text or "").strip().lower())
    if found == "morning":
        return "morning"
    if found == "afternoon":
        return "afternoon"
    return "evening" if found == "evening" else None


def parse_minutes(text: str | None) -> int | None:
    """A duration in whole minutes (1..1440), or ``BadArgument``."""
    if text is None:
        return None
    try:
        minutes = int(float(text))
    except ValueError:
        raise BadArgument("duration_minutes", "invalid") from None
    if not 0 < minutes <= 1440:
        raise BadArgument("duration_minutes", "invalid")
    return minutes


def args_fingerprint(args: Mapping[str, str]) -> str:
    """A stable text of the arguments (sorted keys), for idempotency keys."""
    return json.dumps(dict(sorted(args.items())), ensure_ascii=False, separators=(",", ":"))
