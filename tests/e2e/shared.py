"""One simulated Cal.com shared by several tenants (each with its own API key), and altslots in front of it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from altslot.api.app import create_app
from altslot.api.serving import RunningServer, start_in_thread
from altslot.calcom.client import Transport
from altslot.observability import ObservabilitySettings
from altslot.shell.config import CalcomSettings, SearchSettings, Settings
from altslot.shell.runtime import build_runtime
from altslot.shell.tenant_settings import TenantSettings
from altslot.sim import create_app as create_sim
from altslot.sim.datafile import parse_data
from tests.support.world import EVENT, Clock, salon_data, tenant_settings

OTHER_EVENT = 2001
"""A second event type on the salon's calendar."""


@dataclass(frozen=True)
class TenantSpec:
    """A tenant of the shared simulator: caller token, Cal.com key and event types."""

    token: str
    api_key: str
    event_types: Sequence[int] = (EVENT,)


@dataclass
class Shared:
    """The running simulator and altslot instances."""

    sim: RunningServer
    apis: list[RunningServer]
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=60))

    def post(
        self, path: str, token: str, body: dict[str, Any] | None = None, instance: int = 0, **headers: str
    ) -> httpx.Response:
        """POST to an altslot instance as the tenant of ``token``."""
        return self.http.post(
            f"{self.apis[instance].url}{path}",
            json=body or {},
            headers={"Authorization": f"Bearer {token}", **headers},
        )

    def book(
        self, token: str, start: str, key: str, event_type_id: int = EVENT, instance: int = 0, **extra: Any
    ) -> httpx.Response:
        """Book ``start`` (Berlin wall time) with an Idempotency-Key."""
        body = {
            "event_type_id": event_type_id,
            "start": start,
            "attendee": {"name": "Erika Mustermann", "time_zone": "Europe/Berlin", "email": "e@example.com"},
            **extra,
        }
        return self.post("/api/appointments", token, body, instance, **{"Idempotency-Key": key})

    def search(self, token: str, **body: Any) -> httpx.Response:
        """An alternatives request."""
        body.setdefault("event_type_id", EVENT)
        return self.post("/api/appointments/alternatives", token, body)

    def sim_bookings(self) -> list[dict[str, Any]]:
        """Every booking the simulator holds (admin view, all accounts)."""
        bookings: list[dict[str, Any]] = self.http.get(f"{self.sim.url}/_sim/bookings").json()
        return bookings

    def sim_calls(self, route: str) -> int:
        """How often the simulator served ``route`` (``"POST /v2/bookings"``)."""
        return int(self.http.get(f"{self.sim.url}/_sim/stats").json()["requests"].get(route, 0))

    def fault(self, mode: str, **extra: Any) -> None:
        """Put the simulator into a fault mode."""
        self.http.post(f"{self.sim.url}/_sim/faults", json={"mode": mode, **extra}).raise_for_status()


def _tenant(spec: TenantSpec, base_url: str) -> TenantSettings:
    base = tenant_settings(spec.token, spec.api_key, base_url)
    return base.model_copy(update={"event_types": list(spec.event_types)})


@contextmanager
def shared_world(
    tenants: dict[str, TenantSpec],
    *,
    bookings: Sequence[tuple[str, str]] = (),
    instances: int = 1,
    transport: Transport | None = None,
    search: SearchSettings | None = None,
    calcom: dict[str, Any] | None = None,
    sim_options: dict[str, Any] | None = None,
    **sections: Any,
) -> Iterator[Shared]:
    """One simulator whose salon has ``EVENT`` and ``OTHER_EVENT``, every tenant's key, and altslots."""
    data = salon_data(bookings=bookings)
    data["api_keys"] = sorted({spec.api_key for spec in tenants.values()})
    data["event_types"].append({"id": OTHER_EVENT, "length": 30, "schedule": "salon"})
    sections.setdefault("observability", ObservabilitySettings(search_log_url=""))
    with ExitStack() as stack:
        sim = start_in_thread(create_sim(parse_data(data), **(sim_options or {})))
        stack.callback(sim.stop)
        settings = Settings(
            calcom=CalcomSettings(base_url=sim.url, **(calcom or {})),
            search=search or SearchSettings(),
            tenants={name: _tenant(spec, sim.url) for name, spec in tenants.items()},
            **sections,
        )
        apis = []
        for _ in range(instances):
            runtime = build_runtime(settings, clock=Clock(), env={}, transport=transport)
            api = start_in_thread(create_app(runtime))
            stack.callback(api.stop)
            apis.append(api)
        world = Shared(sim, apis)
        stack.callback(world.http.close)
        yield world
