"""A local stand-in for Cal.com's API v2: slots, reservations, bookings, webhooks, faults and rate limits."""

from __future__ import annotations

from pathlib import Path

from altslot.sim.app import create_app
from altslot.sim.datafile import SimData, SimDataError, load_data
from altslot.sim.demo import demo_data
from altslot.sim.faults import parse_latency

EXAMPLE_DATA: Path = Path(__file__).parent / "data" / "example.json"
"""The data file example of DESIGN §5, shipped with the package."""

__all__ = ["EXAMPLE_DATA", "SimData", "SimDataError", "create_app", "demo_data", "load_data", "parse_latency"]
