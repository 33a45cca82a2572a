"""The search's answers encoded once by orjson are what the schema models write, byte for byte."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from altslot.api import present
from altslot.api.schemas import AlternativesResponse, UnavailableResponse
from altslot.finder.models import Alternative, SearchResult, Strategy, WhyNot
from altslot.search.answers import Cause, Figures, Hold, Offer, SearchAnswer, Unavailable

BERLIN = ZoneInfo("Europe/Berlin")
AS_OF = datetime(2025, 9, 29, 6, 0, 1, 250_000, tzinfo=UTC)
FRESH = Figures(1, 14, 1, 812.4, False, None, AS_OF, 2.1, False)


def at(hour: int, minute: int = 0, day: int = 30) -> datetime:
    """A Berlin wall time in late September 2025."""
    return datetime(2025, 9, day, hour, minute, tzinfo=BERLIN)


def offer(start: datetime, strategy: Strategy, hold: Hold | None = None) -> Offer:
    """A 30-minute offer with its words."""
    return Offer(start, start + timedelta(minutes=30), strategy, 9910, "heute um 15:30 Uhr", "halb vier", hold)


def held(start: datetime) -> Hold:
    """A hold on the 30 minutes from ``start`` until a UTC instant with microseconds."""
    return Hold(start, start + timedelta(minutes=30), f"res-{start.hour}", datetime(2025, 9, 29, 6, 5, 0, 7, UTC))


def answer(
    available: bool,
    offers: tuple[Offer, ...],
    *,
    figures: Figures = FRESH,
    requested: datetime | None = None,
    adjusted: datetime | None = None,
    hold: Hold | None = None,
) -> SearchAnswer:
    """An answer to the wish of 30 September 14:00 (or ``requested``)."""
    why_not: WhyNot | None = None if available else "outside_hours" if adjusted else "busy"
    alternatives = tuple(Alternative(o.start, o.end, o.strategy, o.score) for o in offers)
    strategies: tuple[Strategy, ...] = ("same_day_earlier", "same_day_later") if offers else ()
    result = SearchResult(available, requested or at(14), adjusted, why_not, alternatives, strategies)
    return SearchAnswer(result, offers, "Um 14 Uhr ist leider nichts frei. Wie wäre es um 15:30 Uhr?", figures, hold)


ANSWERS = {
    "taken wish with offers": answer(False, (offer(at(15, 30), "same_day_later"), offer(at(13), "same_day_earlier"))),
    "free wish": answer(True, ()),
    "free wish, held": answer(True, (), hold=held(at(14))),
    "offers with holds": answer(
        False, (offer(at(15, 30), "same_day_later", held(at(15, 30))), offer(at(14, day=1), "next_workday"))
    ),
    "stale": answer(
        False,
        (offer(at(16), "same_day_later"),),
        figures=Figures(0, 15, 0, 3.0, False, "stale", AS_OF - timedelta(minutes=12), 720.5, True),
    ),
    "partial, timed out": answer(False, (), figures=Figures(3, 10, 5, 5000.0, True, "partial", None, None, False)),
    "adjusted start": answer(False, (offer(at(9, 30, day=1), "next_workday"),), requested=at(7), adjusted=at(9, day=1)),
    "offset in whole minutes": answer(
        False, (), requested=datetime(2025, 9, 30, 14, tzinfo=ZoneInfo("Asia/Kathmandu")), adjusted=None
    ),
    "offset with seconds (Monrovia, 1960)": answer(
        False, (), requested=datetime(1960, 1, 4, 10, tzinfo=ZoneInfo("Africa/Monrovia"))
    ),
}


@pytest.mark.parametrize("found", ANSWERS.values(), ids=ANSWERS.keys())
def test_a_search_answer_is_encoded_as_the_model_writes_it(found: SearchAnswer) -> None:
    """The 200 body is the model's JSON byte for byte, parses to the model's dump and validates against it."""
    body = bytes(present.search_response(found).body)
    model = present.alternatives(found)
    assert body == model.model_dump_json().encode()
    assert json.loads(body) == model.model_dump(mode="json")
    assert AlternativesResponse.model_validate_json(body).model_dump(mode="json") == json.loads(body)


def test_the_orjson_encoding_is_the_one_the_search_route_uses() -> None:
    """Answers of today's zones are encoded by orjson: the same bytes as the model, without building it."""
    found = ANSWERS["offers with holds"]
    assert present.search_response(found).body == present.alternatives_json(found)


@pytest.mark.parametrize("cause", ["unreachable", "rate_limited", "auth"])
def test_a_503_body_is_encoded_as_the_model_writes_it(cause: Cause) -> None:
    """The 503 body is ``UnavailableResponse``'s JSON byte for byte, with ``Retry-After`` beside it."""
    down = Unavailable(cause, "Der Kalender ist gerade nicht erreichbar – bitte später noch einmal.", 7)
    response = present.search_response(down)
    body = bytes(response.body)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"
    assert body == present.unavailable_body(down).model_dump_json().encode()
    assert UnavailableResponse.model_validate_json(body).model_dump(mode="json") == json.loads(body)
