"""Fixtures for the Cal.com simulator tests: a small data set, a served simulator and an HTTP client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from altslot.api.serving import RunningServer, start_in_thread
from altslot.sim import SimData, create_app
from altslot.sim.datafile import parse_data
from tests.sim.simdata import sim_raw


@pytest.fixture
def serve() -> Iterator[Callable[..., RunningServer]]:
    """Start simulators over real loopback HTTP; all are stopped after the test."""
    servers: list[RunningServer] = []

    def start(data: SimData | None = None, **options: Any) -> RunningServer:
        server = start_in_thread(create_app(data or parse_data(sim_raw()), seed=7, **options))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def sim(serve: Callable[..., RunningServer]) -> RunningServer:
    """One simulator with the default test data."""
    return serve()


@pytest.fixture
def client(sim: RunningServer) -> Iterator[httpx.Client]:
    """An HTTP client aimed at ``sim``."""
    with httpx.Client(base_url=sim.url, timeout=10) as http:
        yield http
