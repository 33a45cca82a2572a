"""Spoken answers for a voice agent: labels for single offers and the whole ``response_text``.

Day words are relative to the caller's local today (``now`` in the tenant zone); every sentence is one
line of plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from altslot.finder import calendar
from altslot.finder.models import SearchRequest, SearchResult, TimeWindow
from altslot.finder.words import (
    CUSTOM_WINDOW,
    DAY_FORMS,
    MONTHS,
    OR,
    SENTENCES,
    UNAVAILABLE,
    WEEKDAYS,
    WEEKDAYS_PLURAL,
    WINDOW_NAMES,
)
from altslot.types import Language, Policy


def _clock(moment: time | datetime, language: Language) -> str:
    """The bare clock figure: "14", "14:30" / "2 pm", "2:30 pm"."""
    if language == "de":
        return f"{moment.hour}" if moment.minute == 0 else f"{moment.hour}:{moment.minute:02d}"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour} {suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d} {suffix}"


def spoken_time(moment: time | datetime, language: Language) -> str:
    """A time as spoken: "14 Uhr", "14:30 Uhr" / "2 pm", "2:30 pm"."""
    return f"{_clock(moment, language)} Uhr" if language == "de" else _clock(moment, language)


def spoken_date(day: date, language: Language) -> str:
    """A date as spoken: "14. Oktober" / "October 14"."""
    month = MONTHS[language][day.month - 1]
    return f"{day.day}. {month}" if language == "de" else f"{month} {day.day}"


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _day_form(day: date, today: date) -> str:
    """Which relative day phrase fits ``day`` as seen from ``today``."""
    delta = (day - today).days
    monday = today - timedelta(days=today.weekday())
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == 2:
        return "after_tomorrow"
    if delta > 0 and day <= monday + timedelta(days=6):
        return "this_week"
    if monday + timedelta(days=7) <= day <= monday + timedelta(days=13):
        return "next_week"
    return "date"


def label(start: datetime, policy: Policy, now: datetime, language: Language) -> str:
    """An offer as spoken: "morgen um 14 Uhr", "nächste Woche Dienstag um 10 Uhr" / "on Thursday at 9 am"."""
    local = start.astimezone(policy.zone)
    day = local.date()
    form = DAY_FORMS[language][_day_form(day, calendar.local_date(now, policy))]
    return form.format(
        t=spoken_time(local, language),
        w=WEEKDAYS[language][day.weekday()],
        d=spoken_date(day, language),
    )


def spoken_offers(
    starts: list[datetime], policy: Policy, now: datetime, language: Language, labels: Sequence[str] = ()
) -> list[str]:
    """Labels for a sentence: an offer on the same day as the one before it says only its time.

    "morgen um 9 Uhr oder um 11 Uhr" rather than "morgen um 9 Uhr oder morgen um 11 Uhr". ``labels``: the
    offers' labels when the caller has them already.
    """
    spoken: list[str] = []
    previous: date | None = None
    for i, start in enumerate(starts):
        local = start.astimezone(policy.zone)
        if local.date() == previous:
            spoken.append(DAY_FORMS[language]["same_day"].format(t=spoken_time(local, language)))
        else:
            spoken.append(labels[i] if labels else label(start, policy, now, language))
        previous = local.date()
    return spoken


def join_offers(labels: list[str], language: Language) -> str:
    """Offers joined for speech: "A", "A oder B", "A, B oder C"."""
    if len(labels) <= 1:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} {OR[language]} {labels[-1]}"


def _window_text(window: TimeWindow, language: Language) -> str:
    if window.name in WINDOW_NAMES[language]:
        return WINDOW_NAMES[language][window.name]
    return CUSTOM_WINDOW[language].format(
        start=spoken_time(window.start, language), end=spoken_time(window.end, language)
    )


def _hours_reason(requested: datetime, policy: Policy, language: Language) -> str:
    """Why a start on an open day is outside hours: not open yet, closed already, or running past closing."""
    words = SENTENCES[language]
    hours = calendar.opening_interval(requested.date(), policy)
    if hours is None:
        return words["non_workday"].format(
            Weekdays=WEEKDAYS_PLURAL[language][requested.weekday()],
            weekdays=WEEKDAYS_PLURAL[language][requested.weekday()],
        )
    opens, closes = hours.start, hours.end
    if requested.astimezone(UTC) < opens.astimezone(UTC):
        key = "before_opening"
    elif requested.astimezone(UTC) >= closes.astimezone(UTC):
        key = "after_closing"
    else:
        key = "past_closing"
    return words[key].format(
        time=spoken_time(requested, language),
        opens=_clock(opens, language) if language == "de" else spoken_time(opens, language),
        closes=spoken_time(closes, language),
    )


def _reason(result: SearchResult, request: SearchRequest, policy: Policy, now: datetime) -> str:
    """The sentence explaining ``why_not``."""
    language = request.language
    words = SENTENCES[language]
    requested = result.requested.astimezone(policy.zone)
    day = requested.date()
    match result.why_not:
        case "busy":
            if day == calendar.local_date(now, policy):
                return words["busy_today"].format(time=spoken_time(requested, language))
            text = label(requested, policy, now, language)
            return words["busy"].format(Label=_capitalise(text), label=text)
        case "outside_hours":
            return _hours_reason(requested, policy, language)
        case "non_workday":
            plural = WEEKDAYS_PLURAL[language][day.weekday()]
            return words["non_workday"].format(Weekdays=plural, weekdays=plural)
        case "holiday":
            spoken = spoken_date(day, language)
            return words["holiday"].format(date=spoken, Date=spoken)
        case "beyond_horizon":
            return words["beyond_horizon"].format(date=spoken_date(calendar.booking_limit(policy, now), language))
        case "in_past" | "min_notice" | "unknown":
            return words[result.why_not]
        case None:
            return ""


def phrase(
    result: SearchResult, request: SearchRequest, policy: Policy, now: datetime, labels: Sequence[str] = ()
) -> str:
    """The whole spoken answer (``response_text``) for a search result, on one line.

    ``labels``: the alternatives' labels (``label``) when the caller has worked them out already.
    """
    language = request.language
    words = SENTENCES[language]
    if result.available:
        text = label(result.requested, policy, now, language)
        return words["available"].format(Label=_capitalise(text), label=text)
    parts = [_reason(result, request, policy, now)]
    if result.alternatives:
        if result.outside_preferred_window and request.preferred_window is not None:
            window = _window_text(request.preferred_window, language)
            parts.append(words["outside_window"].format(Window=_capitalise(window), window=window))
        offers = spoken_offers([alt.start for alt in result.alternatives], policy, now, language, labels)
        key = "offer_one" if len(offers) == 1 else "offer_many"
        parts.append(words[key].format(offers=join_offers(offers, language)))
    elif result.why_not == "unknown":
        parts.append(words["callback_unknown"])
    else:
        parts.append(words["none_either"].format(days=policy.horizon_days))
        parts.append(words["callback"])
    return " ".join(p for p in parts if p)


def unavailable_text(cause: Literal["unreachable", "rate_limited", "auth"], language: Language) -> str:
    """A polite sentence for when the calendar cannot be read at all (HTTP 503)."""
    return UNAVAILABLE[language][cause]
