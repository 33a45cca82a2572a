"""One JSON ``search`` line per search with every field, and the request id from ``X-Request-Id``."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from altslot.observability.logs import SEARCH_FIELDS, configure_logging
from tests.support.world import TOKEN, World, running, salon_data

AT = "2025-09-30T14:00"


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """Captures the process's log lines as JSON text, through the handler ``altslot serve`` installs."""
    out = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging("json", out)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def written(out: io.StringIO) -> str:
    """Everything logged so far: search lines wait for the end of their loop step, so flush first."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    return out.getvalue()


def searches(out: io.StringIO) -> list[dict[str, Any]]:
    found = [json.loads(line) for line in written(out).splitlines()]
    return [line for line in found if line.get("event") == "search"]


def post(world: World, **headers: str) -> Any:
    return world.http.post(
        f"{world.api.url}/api/appointments/alternatives",
        json={"event_type_id": 1412903, "desired_start": AT},
        headers={"Authorization": f"Bearer {TOKEN}", **headers},
    )


def test_one_json_line_per_search_with_every_field(lines: io.StringIO) -> None:
    """A search logs one line holding the seed's fields, tenant, request id, degraded and status."""
    with running(salon_data()) as world:
        response = post(world, **{"X-Request-Id": "call-42.a_b"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "call-42.a_b"
    [line] = searches(lines)
    assert set(SEARCH_FIELDS) <= set(line)
    assert {"ts", "level"} <= set(line)
    assert line["tenant"] == "salon"
    assert line["request_id"] == "call-42.a_b"
    assert line["api_calls_made"] == 1
    assert line["status"] == 200
    assert line["degraded"] is None
    assert isinstance(line["duration_ms"], float)
    assert line["alternatives_found"] == len(response.json()["alternatives"])


def test_log_lines_carry_no_secrets(lines: io.StringIO) -> None:
    """Neither the caller's token nor the Cal.com key appear in a search line."""
    with running(salon_data()) as world:
        post(world)
    text = written(lines)
    assert text
    assert TOKEN not in text
    assert "cal_test_salon" not in text


def test_an_insane_request_id_is_replaced() -> None:
    """An over-long or odd ``X-Request-Id`` is replaced by a generated one, echoed on every response."""
    with running(salon_data()) as world:
        odd = post(world, **{"X-Request-Id": "x" * 129})
        spaced = post(world, **{"X-Request-Id": "a b"})
        health = world.http.get(f"{world.api.url}/healthz")
    for response in (odd, spaced, health):
        rid = response.headers["x-request-id"]
        assert len(rid) == 32
        int(rid, 16)


def test_a_503_is_logged_too(lines: io.StringIO) -> None:
    """A search Cal.com cannot serve still logs its line, with status 503."""
    with running(salon_data()) as world:
        world.fault("down")
        assert post(world).status_code == 503
    [line] = searches(lines)
    assert line["status"] == 503
    assert line["api_calls_made"] >= 1


def test_configure_logging_renders_plain_records_as_json() -> None:
    """After ``configure_logging`` every record of the process is one JSON line."""
    out = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging("json", out)
    try:
        logging.getLogger("altslot.test").warning("hello %s", "world")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    line = json.loads(out.getvalue().splitlines()[-1])
    assert line["event"] == "hello world"
    assert line["level"] == "warning"
