"""The benchmark's world: simulator data, altslot config files and the dates every scenario uses.

Three schedules, all Mon–Sat 09:00–18:00 in Berlin on the real clock:

* ``typical``: 14:00–14:30 is booked every day, so a 14:00 wish is taken and free slots lie next to it;
* ``busy``: 12:00–16:00 is booked every day, so the old pattern needs several strategies (the cold burst);
* ``worst``: closed (date overrides) from the desired day for ``horizon`` days, open only on the last day.

Each scenario uses event types of its own so caches never leak from one scenario into another.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Berlin")
HORIZON_DAYS = 14
TOKEN = "bench-token"
TYPICAL, BUSY, WORST, LIMITER = 10_000, 20_000, 30_000, 40_000
PER_SCHEDULE = 300  # event types per schedule: every cold sample gets one of its own


def first_day(today: date) -> date:
    """The desired day of the single-search scenarios: tomorrow, or Monday when tomorrow is a Sunday."""
    day = today + timedelta(days=1)
    return day + timedelta(days=1) if day.weekday() == 6 else day


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Berlin wall time on ``day``."""
    return datetime.combine(day, time(hour, minute), ZONE)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def sim_data(today: date, api_key: str) -> dict[str, Any]:
    """Simulator data for the three schedules, from ``today`` for 40 days."""
    hours = [{"days": [1, 2, 3, 4, 5, 6], "start_time": "09:00", "end_time": "18:00"}]
    d0 = first_day(today)
    closed = [d0 + timedelta(days=i) for i in range(HORIZON_DAYS)]
    bookings: list[dict[str, Any]] = []
    for offset in range(40):
        day = today + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        for schedule, base, start, end in (("typical", TYPICAL, 14, 14.5), ("busy", BUSY, 12, 16)):
            begin = at(day, int(start), int(start % 1 * 60))
            finish = at(day, int(end), int(end % 1 * 60))
            uid = f"{schedule}-{day.isoformat()}"
            bookings.append({"uid": uid, "event_type_id": base, "start": _utc(begin), "end": _utc(finish)})
    schedules = {
        name: {"time_zone": "Europe/Berlin", "availability": hours, "date_overrides": []}
        for name in ("typical", "busy", "worst")
    }
    schedules["worst"]["date_overrides"] = [
        {"date": d.isoformat(), "start_time": "00:00", "end_time": "00:00"} for d in closed
    ]
    event_types = [
        {"id": base + i, "length": 30, "schedule": schedule}
        for schedule, base in (("typical", TYPICAL), ("busy", BUSY), ("worst", WORST), ("typical", LIMITER))
        for i in range(PER_SCHEDULE)
    ]
    return {"api_keys": [api_key], "schedules": schedules, "event_types": event_types, "bookings": bookings}


@dataclass(frozen=True)
class ServiceConfig:
    """What differs between the altslot processes of one run."""

    tenant: str
    api_key: str
    calcom_url: str
    backend: str = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    rate_limit_per_minute: int = 1_000_000
    horizon_days: int = HORIZON_DAYS
    deadline_seconds: float = 5.0
    fresh_ttl_seconds: float = 60.0
    failure_threshold: int = 5
    cool_down_seconds: float = 30.0

    def toml(self) -> str:
        """The config file text."""
        owned = ", ".join(str(base + i) for base in (TYPICAL, BUSY, WORST, LIMITER) for i in range(PER_SCHEDULE))
        return f"""[calcom]
base_url = "{self.calcom_url}"

[cache]
backend = "{self.backend}"
redis_url = "{self.redis_url}"
fresh_ttl_seconds = {self.fresh_ttl_seconds}
redis_required = {"true" if self.backend == "redis" else "false"}

[search]
horizon_days = {self.horizon_days}
deadline_seconds = {self.deadline_seconds}

[resilience]
rate_limit_per_minute = {self.rate_limit_per_minute}
failure_threshold = {self.failure_threshold}
cool_down_seconds = {self.cool_down_seconds}

[tenants.{self.tenant}]
tokens = ["{TOKEN}"]
calcom_api_key = "{self.api_key}"
time_zone = "Europe/Berlin"
language = "de"
workdays = ["mon", "tue", "wed", "thu", "fri", "sat"]
business_hours = {{ start = "09:00", end = "18:00" }}
event_types = [{owned}]
"""


def write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as JSON and return the path."""
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def search_body(event_type_id: int, desired: datetime) -> dict[str, Any]:
    """An alternatives request body for a Berlin wall time."""
    return {"event_type_id": event_type_id, "desired_start": desired.replace(tzinfo=None).isoformat()}
