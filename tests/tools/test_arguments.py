"""Tool names and arguments as agents send them: aliases, suffixes, dates, times, windows."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from altslot.tools.arguments import (
    BadArgument,
    canonical_args,
    parse_arguments,
    parse_date,
    parse_start,
    parse_time,
    parse_window,
    tool_name,
)


@pytest.mark.parametrize(
    ("given_name", "tool"),
    [
        ("check_availability", "check_availability"),
        ("check_availability_v48", "check_availability"),
        ("Book_Appointment_v2", "book_appointment"),
        ("cancel_appointment", "cancel_appointment"),
        ("reschedule_appointment_v1", "reschedule_appointment"),
        ("check_availability_cal", None),
        ("transfer_call", None),
    ],
)
def test_tool_names_ignore_a_version_suffix(given_name: str, tool: str | None) -> None:
    """A ``_v<N>`` suffix is ignored; unknown names are None."""
    assert tool_name(given_name) == tool


def test_german_aliases_become_canonical_and_canonical_wins() -> None:
    """The old agent's German names map to the canonical ones; a canonical name beats its alias."""
    args = canonical_args(
        {
            "datum": "30.09.2025",
            "uhrzeit": "14:00",
            "dienstleistung": "Haarschnitt",
            "telefonnummer": "0151 1234",
            "time": "15:00",
            "extra": "ignored",
            "email": "",
            "duration_minutes": 30,
        }
    )
    assert args == {
        "date": "30.09.2025",
        "time": "15:00",
        "service": "Haarschnitt",
        "phone": "0151 1234",
        "duration_minutes": "30",
    }


def test_arguments_may_be_a_json_string() -> None:
    """Vapi sends arguments as an object or as a JSON string; garbage is an empty set."""
    assert parse_arguments('{"date": "2025-09-30"}') == {"date": "2025-09-30"}
    assert parse_arguments({"date": "2025-09-30"}) == {"date": "2025-09-30"}
    assert parse_arguments("not json") == {}
    assert parse_arguments("[1, 2]") == {}


def test_dates_in_both_forms_and_impossible_dates() -> None:
    """``YYYY-MM-DD`` and ``DD.MM.YYYY`` read; 31.02. and words are bad dates."""
    assert parse_date("2025-09-30") == date(2025, 9, 30)
    assert parse_date("30.09.2025") == date(2025, 9, 30)
    assert parse_date("1.10.2025") == date(2025, 10, 1)
    for bad in ("31.02.2025", "morgen", "2025/09/30", "30.09.25"):
        with pytest.raises(BadArgument):
            parse_date(bad)


def test_times_and_starts() -> None:
    """``HH:MM`` and loose forms read; an offered ISO start wins over date and time."""
    assert parse_time("14:00") == time(14, 0)
    assert parse_time("9:05") == time(9, 5)
    assert parse_time("14 Uhr") == time(14, 0)
    assert parse_time("14.30") == time(14, 30)
    with pytest.raises(BadArgument):
        parse_time("25:00")
    assert parse_start({"date": "2025-09-30", "time": "14:00"}) == datetime(2025, 9, 30, 14, 0)
    offered = parse_start({"start": "2025-09-30T14:30:00+02:00", "date": "x"})
    assert offered.isoformat() == "2025-09-30T14:30:00+02:00"
    with pytest.raises(BadArgument) as missing:
        parse_start({"date": "2025-09-30"})
    assert (missing.value.argument, missing.value.reason) == ("time", "missing")


def test_windows_in_both_languages() -> None:
    """Day-part words in German and English; unknown words mean no preference."""
    assert parse_window("nachmittags") == "afternoon"
    assert parse_window("Morning") == "morning"
    assert parse_window("abends") == "evening"
    assert parse_window("irgendwann") is None


@given(st.dates(min_value=date(1000, 1, 1)))
def test_both_date_forms_read_back(day: date) -> None:
    """Any date written either way reads back as itself."""
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.day:02d}.{day.month:02d}.{day.year:04d}") == day
