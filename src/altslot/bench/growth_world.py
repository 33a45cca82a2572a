"""The growth benchmark's world: the demo salon over two months, three slot densities, one config per horizon.

* ``salon``: the demo salon (``altslot.sim.demo``) with its bookings drawn for 63 days (three of its 21-day
  draws end to end), so even a 60-day horizon has the demo's density; the wish is a 30-minute Haarschnitt
  at 14:00 on the wish day, which the demo always keeps taken;
* ``dense10`` / ``dense50`` / ``dense200``: Mon–Fri schedules whose event types list exactly 10, 50 or 200
  slots per open day (slot length = slot interval over the opening hours), with 13:00–15:00 of the wish
  day booked, so the 14:00 wish is taken and the finder has to search.

The wish day is the first Monday–Friday after today that is no Bavarian public holiday. The simulator's
clock is frozen at the run's start; in process altslot's clock is too, over HTTP ``altslot serve`` runs on
the real clock a few minutes later.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import holidays
from pydantic import SecretStr

from altslot.bench.world import TOKEN, at
from altslot.shell.demo import demo_settings
from altslot.sim.datafile import parse_data
from altslot.sim.demo import BERLIN, SALON_SERVICES, demo_data

HORIZONS = (7, 14, 30, 60)
DENSITY_HORIZON = 14
DENSITIES = ((10, 60, "08:00", "18:00"), (50, 15, "08:00", "20:30"), (200, 5, "06:00", "22:40"))
"""Slots per open day, slot length and interval in minutes, opening and closing time."""
DENSE_BASE = 91_000
HAARSCHNITT = SALON_SERVICES[0][0]
WISH_HOUR = 14
FRESH_TTL_SECONDS = 3600.0  # nothing turns stale while a configuration is measured over HTTP
_DEMO_DRAW_DAYS = 21
_DEMO_DRAWS = 3

Axis = Literal["horizon_days", "slots_per_day"]


def wish_day(today: date) -> date:
    """The first Monday–Friday after ``today`` that is no public holiday at the demo salon (the wish is "busy")."""
    calendar = demo_settings("http://unused").tenants["salon"].holidays
    closed = holidays.country_holidays(calendar.country, subdiv=calendar.subdivision) if calendar else {}
    day = today + timedelta(days=1)
    while day.weekday() >= 5 or day in closed:
        day += timedelta(days=1)
    return day


@dataclass(frozen=True, slots=True)
class Case:
    """One configuration: which tenant and event type is searched, with which horizon."""

    axis: Axis
    value: int
    tenant: str
    token: str
    event_type_id: int
    horizon_days: int
    slots_per_day: int | None = None
    """The slots every open day must list (checked before measuring); None: the demo's own bookings."""

    @property
    def name(self) -> str:
        """``horizon 30 d`` or ``200 slots/day``."""
        return f"horizon {self.value} d" if self.axis == "horizon_days" else f"{self.value} slots/day"


def cases() -> list[Case]:
    """The demo salon at every horizon, then the three densities at the 14-day horizon."""
    found = [Case("horizon_days", h, "salon", TOKEN, HAARSCHNITT, h) for h in HORIZONS]
    for slots, *_ in DENSITIES:
        found.append(
            Case(
                "slots_per_day", slots, f"dense{slots}", f"{TOKEN}-{slots}", DENSE_BASE + slots, DENSITY_HORIZON, slots
            )
        )
    return found


def sim_data(today: date, now: datetime) -> dict[str, Any]:
    """Simulator data: the demo salon with 63 days of bookings plus the three dense schedules."""
    wish = wish_day(today)
    anchor = wish - timedelta(days=1)  # the demo keeps 14:00 of its "tomorrow" taken
    draws = [demo_data(anchor + timedelta(days=_DEMO_DRAW_DAYS * i)) for i in range(_DEMO_DRAWS)]
    raw: dict[str, Any] = draws[0].model_dump(mode="json", exclude_none=True)
    raw["now"] = now.astimezone(UTC).isoformat()
    raw["webhooks"] = []  # nobody listens for the demo's webhooks here
    raw["bookings"] = [b.model_dump(mode="json") for d in draws for b in d.bookings]
    taken = (at(wish, WISH_HOUR - 1).astimezone(UTC).isoformat(), at(wish, WISH_HOUR + 1).astimezone(UTC).isoformat())
    for slots, minutes, opens, closes in DENSITIES:
        name = f"dense{slots}"
        hours = [{"days": [1, 2, 3, 4, 5], "start_time": opens, "end_time": closes}]
        raw["schedules"][name] = {"time_zone": BERLIN, "availability": hours}
        event_type = {"id": DENSE_BASE + slots, "length": minutes, "slot_interval": minutes, "schedule": name}
        raw["event_types"].append(event_type)
        raw["bookings"].append(
            {"uid": f"{name}-wish", "event_type_id": DENSE_BASE + slots, "start": taken[0], "end": taken[1]}
        )
    parse_data(raw)  # a mistake here fails now, not as a simulator that does not start
    return raw


def _revealed(value: Any) -> Any:
    """Dumped settings as plain data with secrets in clear (they go into a config file again)."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, dict):
        return {k: _revealed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_revealed(v) for v in value]
    return value


def tenants() -> dict[str, dict[str, Any]]:
    """The demo salon as ``altslot demo`` configures it, and one tenant per dense schedule."""
    salon: dict[str, Any] = _revealed(demo_settings("http://unused").tenants["salon"].model_dump(exclude_none=True))
    found = {"salon": {**salon, "tokens": [TOKEN]}}
    for slots, minutes, opens, closes in DENSITIES:
        found[f"dense{slots}"] = {
            "tokens": [f"{TOKEN}-{slots}"],
            "calcom_api_key": salon["calcom_api_key"],
            "time_zone": BERLIN,
            "workdays": ["mon", "tue", "wed", "thu", "fri"],
            "business_hours": {"start": opens, "end": closes},
            "event_types": [{"id": DENSE_BASE + slots, "length": minutes}],
        }
    return found


def settings_tree(calcom_url: str, horizon_days: int) -> dict[str, Any]:
    """The whole configuration of one horizon as plain data: ``Settings(**tree)`` or a TOML file."""
    return {
        "calcom": {"base_url": calcom_url},
        "cache": {"fresh_ttl_seconds": FRESH_TTL_SECONDS},
        "search": {"horizon_days": horizon_days},
        "observability": {"search_log_url": ""},  # in process and over HTTP alike: no search log table
        "tenants": tenants(),
    }


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)  # strings and numbers read the same in TOML


@dataclass(frozen=True)
class ServiceFile:
    """A settings tree as ``altslot serve``'s config file (for ``Fleet.service``)."""

    tree: Mapping[str, Any]

    def toml(self) -> str:
        """Sections as tables, ``[tenants.NAME]`` per tenant, every value inline."""
        lines: list[str] = []
        for section, body in self.tree.items():
            tables = [(f"{section}.{name}", table) for name, table in body.items()] if section == "tenants" else []
            for title, table in tables or [(section, body)]:
                lines += [f"[{title}]", *(f"{key} = {_toml_value(value)}" for key, value in table.items()), ""]
        return "\n".join(lines)
