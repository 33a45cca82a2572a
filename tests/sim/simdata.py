"""The test data file and header constants shared by the simulator tests."""

from __future__ import annotations

from typing import Any

NOW = "2050-09-05T06:00:00Z"  # a Monday; Europe/Rome is UTC+2, so opening hours are 07:00Z-15:00Z
API_KEY = "cal_test_key"
SLOTS = {"cal-api-version": "2024-09-04"}
BOOKINGS = {"cal-api-version": "2024-08-13"}


def sim_raw(**changes: Any) -> dict[str, Any]:
    """The test data file as a dict; ``changes`` replace top-level keys."""
    raw: dict[str, Any] = {
        "now": NOW,
        "api_keys": [API_KEY, "cal_test_other"],
        "schedules": {
            "rome": {
                "time_zone": "Europe/Rome",
                "availability": [{"days": [1, 2, 3, 4, 5], "start_time": "09:00", "end_time": "17:00"}],
            }
        },
        "event_types": [
            {"id": 10, "length": 60, "schedule": "rome"},
            {"id": 11, "length": 30, "schedule": "rome", "after_event_buffer": 15},
        ],
        "bookings": [],
        "webhooks": [],
    }
    raw.update(changes)
    return raw
