"""Spoken answers in German and English: labels, every sentence kind, and no line breaks ever."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import get_args

import pytest

from altslot.finder import calendar
from altslot.finder.models import Alternative, SearchRequest, SearchResult, TimeWindow, WhyNot
from altslot.finder.phrasing import join_offers, label, phrase, spoken_offers, spoken_time, unavailable_text
from altslot.finder.scan import find_alternatives
from altslot.types import Language, Policy
from tests.finder.conftest import HALF_HOUR, NOW, at, grid, salon_policy, span

# NOW is Tuesday 2025-09-30 08:00.
LABELS = [
    ("2025-09-30 15:30", "heute um 15:30 Uhr", "today at 3:30 pm"),
    ("2025-10-01 14:00", "morgen um 14 Uhr", "tomorrow at 2 pm"),
    ("2025-10-02 09:00", "übermorgen um 9 Uhr", "the day after tomorrow at 9 am"),
    ("2025-10-03 12:00", "am Freitag um 12 Uhr", "on Friday at 12 pm"),
    ("2025-10-07 10:00", "nächste Woche Dienstag um 10 Uhr", "next week on Tuesday at 10 am"),
    ("2025-10-14 11:00", "am 14. Oktober um 11 Uhr", "on October 14 at 11 am"),
    ("2025-09-29 11:00", "am 29. September um 11 Uhr", "on September 29 at 11 am"),
]


@pytest.mark.parametrize(("start", "de", "en"), LABELS)
def test_labels(start: str, de: str, en: str, policy: Policy) -> None:
    """Relative day words against the caller's local today, times as spoken."""
    assert label(at(start), policy, NOW, "de") == de
    assert label(at(start), policy, NOW, "en") == en


def test_label_uses_the_tenant_zone_for_today(policy: Policy) -> None:
    """23:30 UTC on Monday is already Tuesday in Berlin, so a Tuesday slot is "heute"."""
    now_utc = datetime.fromisoformat("2025-09-29T23:30:00+00:00")
    assert label(at("2025-09-30 10:00"), policy, now_utc, "de") == "heute um 10 Uhr"


def test_sunday_sees_monday_as_tomorrow(policy: Policy) -> None:
    """From Sunday, Monday is "morgen", not "nächste Woche Montag"."""
    assert label(at("2025-10-06 10:00"), policy, at("2025-10-05 10:00"), "de") == "morgen um 10 Uhr"


@pytest.mark.parametrize(
    ("moment", "de", "en"),
    [
        (time(0), "0 Uhr", "12 am"),
        (time(9, 5), "9:05 Uhr", "9:05 am"),
        (time(12), "12 Uhr", "12 pm"),
        (time(23, 30), "23:30 Uhr", "11:30 pm"),
    ],
)
def test_spoken_time(moment: time, de: str, en: str) -> None:
    """Whole hours without minutes, German 24-hour with "Uhr", English 12-hour with am/pm."""
    assert spoken_time(moment, "de") == de
    assert spoken_time(moment, "en") == en


def test_join_offers() -> None:
    """ "A", "A oder B", "A, B oder C"."""
    assert join_offers(["A"], "de") == "A"
    assert join_offers(["A", "B"], "de") == "A oder B"
    assert join_offers(["A", "B", "C"], "en") == "A, B or C"


def answer(desired: str, policy: Policy, language: Language = "de", now: datetime = NOW, **extra: object) -> str:
    index = extra.pop("index", grid())
    request = SearchRequest(desired_start=at(desired), duration=HALF_HOUR, language=language, **extra)  # type: ignore[arg-type]
    return phrase(find_alternatives(request, index, policy, now), request, policy, now)  # type: ignore[arg-type]


def test_design_example_in_german(policy: Policy) -> None:
    """The DESIGN example, word for word."""
    text = answer("2025-09-30 14:00", policy, index=grid(taken=span("2025-09-30 12:00", "2025-09-30 15:00")))
    assert text == (
        "Um 14 Uhr ist leider nichts frei. Ich kann Ihnen heute um 15:30 Uhr oder morgen um 14 Uhr anbieten. "
        "Was passt Ihnen besser?"
    )


def test_design_example_in_english(policy: Policy) -> None:
    """The same answer in English."""
    text = answer("2025-09-30 14:00", policy, "en", index=grid(taken=span("2025-09-30 12:00", "2025-09-30 15:00")))
    assert text == (
        "Unfortunately, nothing is free at 2 pm. I can offer you today at 3:30 pm or tomorrow at 2 pm. "
        "Which would suit you better?"
    )


def test_busy_on_another_day_names_the_day(policy: Policy) -> None:
    """A taken slot tomorrow is named with its day word."""
    text = answer("2025-10-01 14:00", policy, index=grid(taken=[at("2025-10-01 14:00")]), max_alternatives=1)
    assert (
        text == "Morgen um 14 Uhr ist leider nichts frei. Ich kann Ihnen morgen um 14:30 Uhr anbieten. Passt Ihnen das?"
    )


def test_available(policy: Policy) -> None:
    """A free time is confirmed with an offer to book."""
    assert (
        answer("2025-10-02 14:00", policy) == "Übermorgen um 14 Uhr ist noch frei. Soll ich den Termin für Sie buchen?"
    )
    assert answer("2025-10-02 14:00", policy, "en") == (
        "Yes, I can book you in the day after tomorrow at 2 pm. Shall I go ahead?"
    )


def test_three_offers_use_commas(policy: Policy) -> None:
    """Three offers: "A, B oder C"."""
    text = answer("2025-09-30 14:00", policy, index=grid(taken=[at("2025-09-30 14:00")]), max_alternatives=3)
    assert text.count(",") == 1
    assert " oder " in text


def test_nothing_free_offers_a_call_back(policy: Policy) -> None:
    """An empty horizon says so and offers a call-back."""
    full = grid(full=[date(2025, 9, 30) + timedelta(days=i) for i in range(15)])
    assert answer("2025-09-30 14:00", policy, index=full) == (
        "Um 14 Uhr ist leider nichts frei. Auch sonst ist in den nächsten 14 Tagen kein Termin frei. "
        "Sollen wir Sie zurückrufen, sobald etwas frei wird?"
    )
    assert "call you back" in answer("2025-09-30 14:00", policy, "en", index=full)


def test_saturday_says_closed(policy: Policy) -> None:
    """A Saturday wish explains that Saturdays are closed."""
    assert answer("2025-10-04 10:00", policy).startswith("Samstags haben wir geschlossen. Ich kann Ihnen ")
    assert answer("2025-10-04 10:00", policy, "en").startswith("We are closed on Saturdays. I can offer you ")


def test_holiday_says_holiday(policy: Policy) -> None:
    """A holiday wish names the date as a public holiday."""
    assert answer("2025-10-03 10:00", policy).startswith("Am 3. Oktober ist Feiertag, da haben wir geschlossen.")
    assert answer("2025-10-03 10:00", policy, "en").startswith("October 3 is a public holiday, so we are closed.")


@pytest.mark.parametrize(
    ("desired", "de", "en"),
    [
        (
            "2025-09-30 08:00",
            "Um 8 Uhr haben wir leider noch geschlossen, wir haben von 9 bis 18 Uhr geöffnet.",
            "not open yet at 8 am",
        ),
        (
            "2025-09-30 19:00",
            "Um 19 Uhr haben wir leider schon geschlossen, wir haben von 9 bis 18 Uhr geöffnet.",
            "already closed at 7 pm",
        ),
        (
            "2025-09-30 17:45",
            "Ein Termin um 17:45 Uhr würde leider über unsere Öffnungszeiten von 9 bis 18 Uhr hinausgehen.",
            "run past our opening hours of 9 am to 6 pm",
        ),
    ],
)
def test_outside_hours_says_why(desired: str, de: str, en: str, policy: Policy) -> None:
    """Before opening, after closing and running past closing each get their own reason."""
    now = at("2025-09-30 07:00")
    assert answer(desired, policy, now=now).startswith(de)
    assert en in answer(desired, policy, "en", now=now)


def test_outside_preferred_window_is_said(policy: Policy) -> None:
    """No room in the preferred window: the text says the offers lie outside it."""
    text = answer(
        "2025-09-30 14:00",
        policy,
        index=grid(taken=[at("2025-09-30 14:00")]),
        preferred_window=TimeWindow(time(19), time(21)),
    )
    assert "Zwischen 19 Uhr und 21 Uhr ist in den nächsten sieben Tagen nichts frei" in text
    evening = calendar.named_window("evening")
    full_evenings = grid(taken=[s for s in grid().starts if s.hour >= 17] + [at("2025-09-30 14:00")])
    text_en = answer("2025-09-30 14:00", policy, "en", index=full_evenings, preferred_window=evening)
    assert (
        "There is nothing free in the evening in the next seven days, "
        "so my suggestions are outside that time." in text_en
    )


@pytest.mark.parametrize(
    ("why", "de", "en"),
    [
        (
            "in_past",
            "Dieser Zeitpunkt liegt leider schon in der Vergangenheit.",
            "that time has already passed",
        ),
        (
            "beyond_horizon",
            "So weit im Voraus kann ich leider noch keine Termine vergeben, nur bis zum 14. Oktober.",
            "up to October 14",
        ),
        ("min_notice", "So kurzfristig kann ich leider keinen Termin mehr vergeben.", "too short notice"),
        (
            "unknown",
            "Für diesen Tag kann ich den Kalender leider gerade nicht einsehen.",
            "can't see the calendar",
        ),
    ],
)
def test_other_reasons(why: WhyNot, de: str, en: str, policy: Policy) -> None:
    """Past, beyond the horizon, short notice and unknown each explain themselves before the offers."""
    offer = Alternative(at("2025-10-01 14:00"), at("2025-10-01 14:30"), "next_available", 1)
    result = SearchResult(False, at("2025-09-30 14:00"), None, why, (offer,), ("next_available",))
    request = SearchRequest(desired_start=at("2025-09-30 14:00"), duration=HALF_HOUR)
    policy = replace(policy, booking_window_days=14)
    assert phrase(result, request, policy, NOW) == f"{de} Ich kann Ihnen morgen um 14 Uhr anbieten. Passt Ihnen das?"
    english = SearchRequest(desired_start=at("2025-09-30 14:00"), duration=HALF_HOUR, language="en")
    assert en in phrase(result, english, policy, NOW)


def test_unknown_without_offers_asks_for_a_call_back(policy: Policy) -> None:
    """Nothing readable at all: no claim that nothing is free, just a call-back."""
    result = SearchResult(False, at("2025-09-30 14:00"), None, "unknown", (), ())
    request = SearchRequest(desired_start=at("2025-09-30 14:00"), duration=HALF_HOUR)
    text = phrase(result, request, policy, NOW)
    assert "zurückrufen" in text
    assert "kein Termin frei" not in text


@pytest.mark.parametrize("cause", ["unreachable", "rate_limited", "auth"])
@pytest.mark.parametrize("language", get_args(Language))
def test_unavailable_text_is_polite_and_single_line(cause: str, language: Language) -> None:
    """Every 503 cause has a polite one-line sentence offering a call-back."""
    text = unavailable_text(cause, language)  # type: ignore[arg-type]
    assert text
    assert "\n" not in text
    assert ("zurückrufen" in text) if language == "de" else ("call you back" in text)


@pytest.mark.parametrize("language", get_args(Language))
@pytest.mark.parametrize(
    "desired",
    [
        "2025-09-30 14:00",
        "2025-09-30 15:00",
        "2025-09-30 08:00",
        "2025-10-04 10:00",
        "2025-10-03 10:00",
        "2025-09-29 10:00",
        "2025-12-01 10:00",
    ],
)
def test_no_line_breaks_or_markup(desired: str, language: Language) -> None:
    """Whatever the case, the answer is one line of plain text."""
    policy = salon_policy(minimum_notice=timedelta(hours=1))
    text = answer(desired, policy, language, index=grid(taken=[at("2025-09-30 14:00")]), max_alternatives=3)
    assert text
    assert "\n" not in text
    assert "\r" not in text
    assert not any(mark in text for mark in "<>*_#`")


def test_offers_on_the_same_day_say_the_day_once(policy: Policy) -> None:
    """Adjacent offers on one day: the second says only its time; labels themselves stay complete."""
    starts = [at("2025-10-01 09:00"), at("2025-10-01 11:00"), at("2025-10-02 09:00")]
    assert spoken_offers(starts, policy, NOW, "de") == ["morgen um 9 Uhr", "um 11 Uhr", "übermorgen um 9 Uhr"]
    assert spoken_offers(starts, policy, NOW, "en") == [
        "tomorrow at 9 am",
        "at 11 am",
        "the day after tomorrow at 9 am",
    ]
