"""The data file, the bundled example and demo data, and latency parsing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from altslot.sim import EXAMPLE_DATA, SimDataError, demo_data, load_data, parse_latency
from tests.sim.simdata import sim_raw

B1 = {"uid": "x", "event_type_id": 10, "start": "2050-09-05T08:00:00Z", "end": "2050-09-05T09:00:00Z"}


def _write(tmp_path: Path, raw: Any) -> Path:
    path = tmp_path / "data.json"
    path.write_text(json.dumps(raw) if not isinstance(raw, str) else raw)
    return path


def test_example_file_loads() -> None:
    """The shipped DESIGN §5 example loads with its frozen clock, booking and webhook."""
    data = load_data(EXAMPLE_DATA)
    assert data.now is not None
    assert data.now.isoformat() == "2025-10-01T08:00:00+00:00"
    assert [b.uid for b in data.bookings] == ["b1"]
    assert data.webhooks[0].secret == "whsec_demo"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"event_types": [{"id": 10, "length": 0, "schedule": "rome"}]},
            "event_types[0].length: must be greater than 0",
        ),
        (
            {"event_types": [{"id": 10, "length": 30, "schedule": "nowhere"}]},
            "event_types[0].schedule: unknown schedule 'nowhere'",
        ),
        ({"event_types": [{"id": 10, "length": 30}]}, "event_types[0].schedule: is required"),
        (
            {"schedules": {"rome": {"time_zone": "Mars/Olympus", "availability": []}}},
            "schedules.rome.time_zone: unknown IANA time zone 'Mars/Olympus'",
        ),
        (
            {"bookings": [{**B1, "event_type_id": 99}]},
            "bookings[0].event_type_id: unknown event type 99",
        ),
        (
            {"bookings": [{**B1, "end": "2050-09-05T07:00:00Z"}]},
            "bookings[0]: end must be after start",
        ),
        ({"colour": "red"}, "colour: is not a known field"),
    ],
)
def test_bad_file_is_one_line(tmp_path: Path, change: dict[str, Any], expected: str) -> None:
    """A bad data file raises SimDataError with one line naming the field and the problem."""
    with pytest.raises(SimDataError) as caught:
        load_data(_write(tmp_path, sim_raw(**change)))
    assert str(caught.value) == expected
    assert "\n" not in str(caught.value)


def test_unreadable_and_invalid_json(tmp_path: Path) -> None:
    """A missing file and broken JSON are one-line SimDataErrors too."""
    with pytest.raises(SimDataError, match="cannot read"):
        load_data(tmp_path / "missing.json")
    with pytest.raises(SimDataError, match=r"not valid JSON .* line 1 column") as caught:
        load_data(_write(tmp_path, "{oops"))
    assert "\n" not in str(caught.value)


def test_demo_data_is_deterministic_and_realistic() -> None:
    """Demo data has both tenants, keys and webhooks, and the same bookings for the same day."""
    today = date(2025, 10, 1)
    data = demo_data(today)
    assert set(data.schedules) == {"salon", "praxis"}
    assert {e.id for e in data.event_types} == {1412903, 1412904, 1412905, 2001}
    assert set(data.api_keys) == {"cal_test_demo", "cal_test_praxis"}
    assert data.webhooks[0].subscriber_url == "http://127.0.0.1:8000/webhooks/calcom/salon"
    assert data.webhooks[0].secret == "whsec_demo"
    assert data.bookings == demo_data(today).bookings
    assert data.bookings != demo_data(date(2025, 10, 2)).bookings
    starts = [b.start.date() for b in data.bookings]
    assert min(starts) >= today
    assert max(starts) < date(2025, 10, 22)


def test_demo_afternoons_are_busier() -> None:
    """More demo bookings start in the afternoon than in the morning."""
    salon = [b for b in demo_data(date(2025, 10, 1)).bookings if b.uid.startswith("salon")]
    afternoon = sum(1 for b in salon if b.start.hour >= 11)  # 13:00 Berlin = 11:00Z in October
    assert afternoon > len(salon) - afternoon


@pytest.mark.parametrize(("text", "expected"), [("800", (800, 800)), ("300-800", (300, 800)), (" 0 ", (0, 0))])
def test_parse_latency(text: str, expected: tuple[int, int]) -> None:
    """Latency is a fixed number of milliseconds or a uniform range."""
    assert parse_latency(text) == expected


@pytest.mark.parametrize("text", ["", "fast", "800-300", "-5", "1.5"])
def test_parse_latency_rejects(text: str) -> None:
    """Anything else is a ValueError that says what is expected."""
    with pytest.raises(ValueError, match="latency"):
        parse_latency(text)
