"""The service's answers as HTTP responses in the documented JSON shapes (``altslot.api.schemas``)."""

from __future__ import annotations

from fastapi.responses import JSONResponse, Response

from altslot.api.schemas import (
    AlternativeOut,
    AlternativesResponse,
    BookingOut,
    FreshnessOut,
    RequestedOut,
    SearchStatsOut,
    SlotTakenResponse,
    UnavailableResponse,
)
from altslot.booking.answers import Booked, SlotTaken
from altslot.search.answers import Offer, SearchAnswer, Unavailable

JSON = "application/json"


def alternatives(answer: SearchAnswer) -> AlternativesResponse:
    """The 200 body of a search."""
    result, figures, hold = answer.result, answer.figures, answer.requested_hold
    # Every value here is built from trusted values, so the models are constructed without re-validation:
    # on the warm path that validation cost as much as the finder.
    return AlternativesResponse.model_construct(
        available=result.available,
        requested=RequestedOut.model_construct(
            start=result.requested,
            adjusted_start=result.adjusted_start,
            why_not=result.why_not,
            hold_id=hold.hold_id if hold else None,
            held_until=hold.held_until if hold else None,
        ),
        alternatives=offers(answer.offers),
        response_text=answer.text,
        freshness=FreshnessOut.model_construct(
            as_of=figures.as_of, age_seconds=figures.age_seconds, stale=figures.stale
        ),
        search=SearchStatsOut.model_construct(
            upstream_calls=figures.upstream_calls,
            cache_hits=figures.cache_hits,
            cache_misses=figures.cache_misses,
            duration_ms=figures.duration_ms,
            timeout_hit=figures.timeout_hit,
            degraded=figures.degraded,
            strategies_tried=list(result.strategies_tried),
        ),
    )


def offers(found: tuple[Offer, ...]) -> list[AlternativeOut]:
    """The offers as the API lists them."""
    return [
        AlternativeOut.model_construct(
            start=o.start,
            end=o.end,
            strategy=o.strategy,
            label=o.label,
            spoken_time=o.spoken_time,
            score=o.score,
            hold_id=o.hold.hold_id if o.hold else None,
            held_until=o.hold.held_until if o.hold else None,
        )
        for o in found
    ]


def search_response(answer: SearchAnswer | Unavailable) -> Response:
    """200 with the answer, or 503 when Cal.com could not be reached."""
    if isinstance(answer, Unavailable):
        return unavailable(answer)
    # Serialised once, straight from the model: FastAPI would validate and encode it a second time.
    return Response(alternatives(answer).model_dump_json(), media_type=JSON)


def unavailable_body(answer: Unavailable) -> UnavailableResponse:
    """The 503 body: the cause, a sentence to speak and when to try again."""
    return UnavailableResponse(
        cause=answer.cause, response_text=answer.text, retry_after_seconds=answer.retry_after_seconds
    )


def unavailable(answer: Unavailable) -> JSONResponse:
    """503 ``upstream_unavailable`` with ``Retry-After``, for every route that reaches Cal.com."""
    headers = {"Retry-After": str(answer.retry_after_seconds)}
    return JSONResponse(unavailable_body(answer).model_dump(), 503, headers=headers)


def booking(booked: Booked) -> BookingOut:
    """A booking as the API shows it."""
    return BookingOut(
        uid=booked.uid,
        start=booked.start,
        end=booked.end,
        status=booked.status,
        rescheduled_from=booked.rescheduled_from,
    )


def booking_response(outcome: Booked | SlotTaken | Unavailable, status: int) -> JSONResponse:
    """``status`` with the booking, 409 ``slot_taken`` with fresh alternatives, or 503."""
    if isinstance(outcome, Unavailable):
        return unavailable(outcome)
    if isinstance(outcome, SlotTaken):
        taken = SlotTakenResponse(alternatives=offers(outcome.offers), response_text=outcome.text)
        return JSONResponse(taken.model_dump(mode="json"), 409)
    return JSONResponse(booking(outcome).model_dump(mode="json"), status)
