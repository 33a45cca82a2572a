"""What a tool answers: a ``status`` word, a ``spoken`` sentence, and the facts behind it.

Every business outcome is an answer, never an error: agents hide or mangle errors (ElevenLabs hides
them, Vapi ignores non-200 answers), so the caller would hear nothing at all.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel

Status = Literal[
    "available",  # the wished time is free
    "alternatives",  # it is not; here are the offers
    "none_free",  # it is not, and nothing else is free in the horizon
    "slot_taken",  # booking: the slot went just now; fresh offers
    "booked",
    "cancelled",
    "rescheduled",
    "unknown_service",
    "ambiguous_service",
    "missing_argument",
    "bad_date",
    "bad_argument",
    "not_bookable",  # past, outside opening hours, off the slot grid
    "unknown_booking",
    "in_progress",  # the same booking is running in another request
    "unavailable",  # Cal.com cannot be reached and nothing usable is cached
    "unknown_tool",
    "error",
]
# Retell hands at most this many characters of a result to the model (CALLERS.md §1.4).
MAX_CHARS = 15_000


class Offer(BaseModel):
    """One bookable alternative: its start, the clock time in words, and a day-and-time label."""

    start: str
    spoken_time: str
    label: str


class ToolAnswer(BaseModel):
    """The answer of one tool call, the same for every platform."""

    status: Status
    spoken: str
    available: bool | None = None
    alternatives: list[Offer] | None = None
    choices: list[str] | None = None
    missing: str | None = None
    booking_uid: str | None = None
    start: str | None = None
    end: str | None = None
    spoken_time: str | None = None
    rescheduled_from: str | None = None
    retry_after_seconds: int | None = None

    def compact(self) -> str:
        """One line of JSON without empty fields, under Retell's 15,000 characters."""
        text = self._dump(self)
        if len(text) <= MAX_CHARS:
            return text
        trimmed = self.model_copy(update={"alternatives": (self.alternatives or [])[:3]})
        return self._dump(trimmed)

    @staticmethod
    def _dump(answer: ToolAnswer) -> str:
        data = answer.model_dump(exclude_none=True)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
