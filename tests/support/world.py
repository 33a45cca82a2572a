"""A small world for end-to-end tests: simulated Cal.com accounts and altslot, all on real sockets."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import redis

from altslot.api.app import create_app
from altslot.api.serving import RunningServer, start_in_thread
from altslot.events import Event, Events, FetchDone
from altslot.observability import ObservabilitySettings
from altslot.shared.health import RedisHealth
from altslot.shell.config import CalcomSettings, SearchSettings, Settings
from altslot.shell.runtime import build_runtime
from altslot.shell.tenant_settings import HolidaySettings, TenantSettings
from altslot.sim import create_app as create_sim
from altslot.sim.datafile import parse_data
from tests.support.redis_servers import free_port, sync_client

NOW = datetime(2025, 9, 29, 6, 0, tzinfo=UTC)  # Monday 08:00 in Berlin
EVENT = 1412903
TOKEN = "salon-token"
NO_SEARCH_LOG = ObservabilitySettings(search_log_url="")
"""Tests that do not look at the search log keep it off: nothing is written anywhere."""


def salon_data(
    *,
    bookings: Sequence[tuple[str, str]] = (),
    closed: Sequence[date] = (),
    api_key: str = "cal_test_salon",
    now: datetime | None = NOW,
) -> dict[str, Any]:
    """Cal.com data for a Berlin salon, Mon–Fri 09–18, one 30-minute event type.

    ``bookings`` are Berlin wall-clock ``("2025-09-30 14:00", "2025-09-30 14:30")`` pairs;
    ``closed`` dates get a 00:00–00:00 override (Cal.com lists nothing there).
    """
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")

    def utc(text: str) -> str:
        return datetime.fromisoformat(text).replace(tzinfo=berlin).astimezone(UTC).isoformat()

    return {
        "now": now.isoformat() if now else None,
        "api_keys": [api_key],
        "schedules": {
            "salon": {
                "time_zone": "Europe/Berlin",
                "availability": [{"days": [1, 2, 3, 4, 5], "start_time": "09:00", "end_time": "18:00"}],
                "date_overrides": [{"date": d.isoformat(), "start_time": "00:00", "end_time": "00:00"} for d in closed],
            }
        },
        "event_types": [{"id": EVENT, "length": 30, "schedule": "salon"}],
        "bookings": [
            {"uid": f"b{i}", "event_type_id": EVENT, "start": utc(s), "end": utc(e)}
            for i, (s, e) in enumerate(bookings)
        ],
    }


def tenant_settings(
    token: str,
    api_key: str,
    base_url: str | None = None,
    webhook_secret: str | None = None,
    booking_window_days: int | None = None,
    extra: dict[str, Any] | None = None,
) -> TenantSettings:
    """A salon tenant as altslot is configured for it (``extra``: more tenant keys)."""
    return TenantSettings.model_validate(
        {
            "booking_window_days": booking_window_days,
            "webhook_secret": webhook_secret,
            "tokens": [token],
            "calcom_api_key": api_key,
            "calcom_base_url": base_url,
            "time_zone": "Europe/Berlin",
            "language": "de",
            "business_hours": {"start": "09:00", "end": "18:00"},
            "holidays": HolidaySettings(country="DE", subdivision="BY"),
            "event_types": [EVENT],
            **(extra or {}),
        }
    )


@dataclass
class Clock:
    """A clock the test moves by hand (altslot's clock is injected everywhere)."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


class Jumps:
    """A monotonic clock that runs with real time and that a test can jump ahead (a cool-down, a back-off)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def jump(self, seconds: float) -> None:
        """Let ``seconds`` pass at once."""
        self.offset += seconds


class FetchWatch:
    """Counts finished fetches (``FetchDone`` events), so a test waits for a background refresh, not a sleep."""

    def __init__(self) -> None:
        self.done: list[FetchDone] = []
        self._changed = threading.Condition()

    def __call__(self, event: Event) -> None:
        if isinstance(event, FetchDone):
            with self._changed:
                self.done.append(event)
                self._changed.notify_all()

    def wait_for(self, count: int) -> list[FetchDone]:
        """Block until ``count`` fetches have finished in all; the bound only keeps a broken run from hanging."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.done) >= count, timeout=60):
                raise AssertionError(f"only {len(self.done)} of {count} fetches finished")
            return list(self.done)


@dataclass
class World:
    """Running simulators and one altslot in front of them."""

    sims: list[RunningServer]
    api: RunningServer
    apis: list[RunningServer]
    fetches: FetchWatch = field(default_factory=FetchWatch)
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))

    def search(self, token: str = TOKEN, instance: int = 0, **body: Any) -> httpx.Response:
        """POST an alternatives request (to one of the instances)."""
        body.setdefault("event_type_id", EVENT)
        return self.http.post(
            f"{self.apis[instance].url}/api/appointments/alternatives",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )

    def fault(self, mode: str, sim: int = 0, **extra: Any) -> None:
        """Put a simulator into a fault mode."""
        self.http.post(f"{self.sims[sim].url}/_sim/faults", json={"mode": mode, **extra}).raise_for_status()

    def release(self) -> None:
        """Put every simulator back to normal; requests waiting out an injected latency answer at once."""
        for sim in range(len(self.sims)):
            with contextlib.suppress(httpx.HTTPError):
                self.fault("ok", sim, latency_ms=0)

    def stats(self, sim: int = 0) -> dict[str, Any]:
        """The simulator's counters."""
        stats: dict[str, Any] = self.http.get(f"{self.sims[sim].url}/_sim/stats").json()
        return stats

    def metrics(self, instance: int = 0) -> str:
        """An instance's ``/metrics`` text."""
        return self.http.get(f"{self.apis[instance].url}/metrics").raise_for_status().text

    def slot_calls(self, sim: int = 0) -> int:
        """How many GET /v2/slots the simulator has served."""
        stats = self.http.get(f"{self.sims[sim].url}/_sim/stats").json()
        return int(stats["requests"].get("GET /v2/slots", 0))


@contextmanager
def running(
    *datas: dict[str, Any],
    clock: Callable[[], datetime] = lambda: NOW,
    monotonic: Callable[[], float] = time.monotonic,
    horizon_days: int = 14,
    deadline_seconds: float = 5.0,
    instances: int = 1,
    sim_rate_limit: int = 120,
    tenant_keys: Sequence[str] = (),
    webhook_secret: str | None = None,
    booking_window_days: int | None = None,
    health_clock: Callable[[], float] | None = None,
    tenant: dict[str, Any] | None = None,
    **sections: Any,
) -> Iterator[World]:
    """Start one simulator per data dict and ``instances`` altslots with one tenant per simulator.

    ``sections`` are further settings sections (``cache=CacheSettings(...)``, ``resilience=...``);
    ``tenant`` adds keys to the first tenant's settings.
    The search log is off unless ``observability=`` turns it on, so tests leave no database files behind.
    ``health_clock`` is the monotonic clock of each instance's Redis health window (tests move it by hand).
    """
    sections.setdefault("observability", NO_SEARCH_LOG)
    cache = sections.get("cache")
    if cache is not None and cache.backend == "redis":
        # Tenant names repeat across tests; what an earlier test left in Redis must not leak in.
        shared = sync_client(cache.redis_url)
        with contextlib.suppress(redis.RedisError, redis.exceptions.RedisClusterException):  # down on purpose
            for pattern in ("altslot:{salon}*", "altslot:{salon1}*"):
                for key in shared.scan_iter(pattern):
                    shared.delete(key)
        shared.close()
    with ExitStack() as stack:
        api_port = free_port()
        if webhook_secret is not None:
            # The first simulator delivers its booking webhooks to the first altslot instance.
            hook = {
                "subscriber_url": f"http://127.0.0.1:{api_port}/webhooks/calcom/salon",
                "secret": webhook_secret,
            }
            datas = ({**datas[0], "webhooks": [hook]}, *datas[1:])
        sims = []
        for data in datas:
            sim = start_in_thread(create_sim(parse_data(data), rate_limit=sim_rate_limit))
            stack.callback(sim.stop)
            sims.append(sim)
        tenants = {
            ("salon" if i == 0 else f"salon{i}"): tenant_settings(
                TOKEN if i == 0 else f"{TOKEN}{i}",
                tenant_keys[i] if i < len(tenant_keys) else data["api_keys"][0],
                sims[i].url,
                webhook_secret if i == 0 else None,
                booking_window_days,
                tenant if i == 0 else None,
            )
            for i, data in enumerate(datas)
        }
        settings = Settings(
            calcom=CalcomSettings(base_url=sims[0].url),
            search=SearchSettings(horizon_days=horizon_days, deadline_seconds=deadline_seconds),
            tenants=tenants,
            **sections,
        )
        apis = []
        fetches = FetchWatch()
        for i in range(instances):
            events = Events()
            events.subscribe(fetches)
            health = RedisHealth(monotonic=health_clock) if health_clock is not None else None
            runtime = build_runtime(settings, clock=clock, monotonic=monotonic, env={}, events=events, health=health)
            api = start_in_thread(
                create_app(runtime), port=api_port if i == 0 else 0, read_timeout=settings.server.read_timeout_seconds
            )
            stack.callback(api.stop)
            apis.append(api)
        world = World(sims, apis[0], apis, fetches)
        stack.callback(world.http.close)
        # First on the way out: end injected latency, so fetches still hanging on a slow simulator finish now.
        stack.callback(world.release)
        for api in apis:
            # /readyz waits for the start-up check of the Cal.com keys, so it never races a test's faults.
            world.http.get(f"{api.url}/readyz")
        yield world


def berlin(text: str) -> str:
    """An ISO timestamp with Berlin's offset on that date, as altslot answers."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Berlin")).isoformat()


def day_full(day: str) -> list[tuple[str, str]]:
    """Bookings that fill a whole 09–18 day."""
    return [(f"{day} {h:02d}:00", f"{day} {h + 1:02d}:00") for h in range(9, 18)]


def days_from(start: date, count: int) -> list[date]:
    """``count`` consecutive dates."""
    return [start + timedelta(days=i) for i in range(count)]
