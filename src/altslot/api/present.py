"""The service's answers as HTTP responses in the documented JSON shapes (``altslot.api.schemas``).

The search's answers are the warm path: their bodies are built as plain dicts and encoded once with orjson,
which writes what the schema models would (``OPT_UTC_Z``: pydantic writes UTC as ``Z``); the models stay the
contract (``tests/api/test_present.py`` holds the two side by side). msgspec encodes as fast, but its decoder
refuses the documented naive date-times ("2025-10-01T14:00"), so orjson it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from fastapi.responses import JSONResponse, Response

from altslot.api.schemas import (
    AlternativeOut,
    AlternativesResponse,
    BookingOut,
    SlotTakenResponse,
    UnavailableResponse,
)
from altslot.booking.answers import Booked, SlotTaken
from altslot.search.answers import Offer, SearchAnswer, Unavailable

JSON = "application/json"


def alternatives(answer: SearchAnswer) -> AlternativesResponse:
    """The 200 body of a search as the model (the ``find`` command; the HTTP route encodes ``alternatives_json``)."""
    # Validated from the very dict the route encodes: one mapping of an answer onto the contract, two encoders.
    return AlternativesResponse.model_validate(_body(answer))


def offers(found: tuple[Offer, ...]) -> list[AlternativeOut]:
    """The offers as the API lists them."""
    # Every value is built from trusted values, so the models are constructed without re-validation.
    return [AlternativeOut.model_construct(**_offer(o)) for o in found]


def alternatives_json(answer: SearchAnswer) -> bytes:
    """The 200 body of a search, encoded: what ``alternatives(answer).model_dump_json()`` writes, ten times faster."""
    return orjson.dumps(_body(answer), option=orjson.OPT_UTC_Z)


def _body(answer: SearchAnswer) -> dict[str, Any]:
    """The 200 body of a search as plain values, keyed as ``AlternativesResponse``."""
    result, figures, hold = answer.result, answer.figures, answer.requested_hold
    return {
        "available": result.available,
        "requested": {
            "start": result.requested,
            "adjusted_start": result.adjusted_start,
            "why_not": result.why_not,
            "hold_id": hold.hold_id if hold else None,
            "held_until": hold.held_until if hold else None,
        },
        "alternatives": [_offer(o) for o in answer.offers],
        "response_text": answer.text,
        "freshness": {"as_of": figures.as_of, "age_seconds": figures.age_seconds, "stale": figures.stale},
        "search": {
            "upstream_calls": figures.upstream_calls,
            "cache_hits": figures.cache_hits,
            "cache_misses": figures.cache_misses,
            "duration_ms": figures.duration_ms,
            "timeout_hit": figures.timeout_hit,
            "degraded": figures.degraded,
            "strategies_tried": list(result.strategies_tried),
        },
    }


def _offer(o: Offer) -> dict[str, Any]:
    """One offer as ``AlternativeOut`` lists it."""
    hold = o.hold
    return {
        "start": o.start,
        "end": o.end,
        "strategy": o.strategy,
        "label": o.label,
        "spoken_time": o.spoken_time,
        "score": o.score,
        "hold_id": hold.hold_id if hold else None,
        "held_until": hold.held_until if hold else None,
    }


def search_response(answer: SearchAnswer | Unavailable) -> Response:
    """200 with the answer, or 503 when Cal.com could not be reached."""
    if isinstance(answer, Unavailable):
        return unavailable(answer)
    result = answer.result
    if not (_whole_minutes(result.requested) and _whole_minutes(result.adjusted_start)):
        # Pydantic cuts an offset with seconds (local mean time, Monrovia until 1972) to minutes; orjson rounds it.
        # Only the wish can lie that far back: offers, holds and fetch times are all of today.
        return Response(alternatives(answer).model_dump_json(), media_type=JSON)
    return Response(alternatives_json(answer), media_type=JSON)


def _whole_minutes(moment: datetime | None) -> bool:
    """Whether ``moment``'s UTC offset (if any) is whole minutes, as every zone's has been since 1972."""
    offset = moment.utcoffset() if moment is not None else None
    return offset is None or offset.seconds % 60 == 0


def unavailable_body(answer: Unavailable) -> UnavailableResponse:
    """The 503 body: the cause, a sentence to speak and when to try again."""
    return UnavailableResponse(
        cause=answer.cause, response_text=answer.text, retry_after_seconds=answer.retry_after_seconds
    )


def unavailable(answer: Unavailable) -> Response:
    """503 ``upstream_unavailable`` with ``Retry-After``, for every route that reaches Cal.com."""
    headers = {"Retry-After": str(answer.retry_after_seconds)}
    # An outage's answer is not the warm path: the model encodes it.
    return Response(unavailable_body(answer).model_dump_json(), 503, headers=headers, media_type=JSON)


def booking(booked: Booked) -> BookingOut:
    """A booking as the API shows it."""
    return BookingOut.model_validate(booked, from_attributes=True)


def booking_response(outcome: Booked | SlotTaken | Unavailable, status: int) -> Response:
    """``status`` with the booking, 409 ``slot_taken`` with fresh alternatives, or 503."""
    if isinstance(outcome, Unavailable):
        return unavailable(outcome)
    if isinstance(outcome, SlotTaken):
        taken = SlotTakenResponse(alternatives=offers(outcome.offers), response_text=outcome.text)
        return JSONResponse(taken.model_dump(mode="json"), 409)
    return JSONResponse(booking(outcome).model_dump(mode="json"), status)
