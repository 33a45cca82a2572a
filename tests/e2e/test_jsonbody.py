"""The search route reads its body itself: every answer and its OpenAPI document are those of FastAPI's own reading.

Each test sets the route beside a conventional twin, the same route declared with ``body: AlternativesRequest``
(as it was), and compares what FastAPI makes of the twin with what the route does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from altslot.api import present
from altslot.api.app import create_app
from altslot.api.deps import Caller, runtime_of
from altslot.api.requestid import request_id_of
from altslot.api.schemas import AlternativesRequest
from altslot.api.serving import start_in_thread
from altslot.shell.config import CalcomSettings, Settings
from altslot.shell.http_settings import ServerSettings
from altslot.shell.runtime import build_runtime
from altslot.sim import create_app as create_sim
from altslot.sim.datafile import parse_data
from tests.support.world import EVENT, NO_SEARCH_LOG, NOW, TOKEN, salon_data, tenant_settings

ROUTE = "/api/appointments/alternatives"
TWIN = "/api/conventional/alternatives"
JSON = "application/json"
VALID = {"event_type_id": EVENT, "desired_start": "2025-09-30T14:00"}


def fastapi_of(app: Any) -> FastAPI:
    """The FastAPI application inside altslot's ASGI layers."""
    while not isinstance(app, FastAPI):
        app = app.app
    return app


async def conventional(body: AlternativesRequest, request: Request, caller: Caller) -> Response:
    """The search route as it was declared: FastAPI reads and validates the body."""
    answer = await runtime_of(request).searcher.search(caller, body.wish(request_id_of(request.scope)))
    return present.search_response(answer)


def twin_of(route: Any, path: str) -> APIRoute:
    """``route`` declared conventionally at ``path``: same name, summary, description, responses and model."""
    return APIRoute(
        path,
        conventional,
        methods=list(route.methods),
        name=route.name,
        summary=route.summary,
        description=route.description,
        response_model=route.response_model,
        responses=route.responses,
    )


def search_route(app: FastAPI) -> Any:
    """The search route among ``app``'s (included routers' routes too)."""
    return next(r for r in iter_route_contexts(app.routes) if r.path == ROUTE)


@pytest.fixture(scope="module")
def app() -> FastAPI:
    """altslot's app around a runtime that is never started (enough for its OpenAPI document)."""
    settings = Settings(
        calcom=CalcomSettings(base_url="http://127.0.0.1:9"),
        observability=NO_SEARCH_LOG,
        server=ServerSettings(expose_docs=True),
        tenants={"salon": tenant_settings(TOKEN, "cal_test_salon")},
    )
    return fastapi_of(create_app(build_runtime(settings, clock=lambda: NOW, env={})))


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    """A running altslot with the conventional twin of the search route at ``TWIN``, before the simulated salon."""
    with start_in_thread(create_sim(parse_data(salon_data()), rate_limit=1_000_000)) as sim:
        settings = Settings(
            calcom=CalcomSettings(base_url=sim.url),
            observability=NO_SEARCH_LOG,
            tenants={"salon": tenant_settings(TOKEN, "cal_test_salon", sim.url)},
        )
        outer = create_app(build_runtime(settings, clock=lambda: NOW, env={}))
        inner = fastapi_of(outer)
        inner.router.routes.insert(0, twin_of(search_route(inner), TWIN))  # before the MCP mount at "/"
        with start_in_thread(outer) as api:
            yield api.url


def post(url: str, path: str, raw: bytes, content_type: str | None) -> httpx.Response:
    """POST ``raw`` bytes as they are, with ``content_type`` (none when None)."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return httpx.post(f"{url}{path}", content=raw, headers=headers, timeout=30)


def answer_of(response: httpx.Response) -> tuple[int, Any]:
    """The status and the JSON body, without the search's own duration (the one figure that differs per run)."""
    body = response.json()
    if isinstance(body, dict) and isinstance(body.get("search"), dict):
        body["search"].pop("duration_ms")
    return response.status_code, body


def encoded(body: Any) -> bytes:
    """``body`` as JSON bytes."""
    return json.dumps(body).encode()


BAD = {
    "malformed": (b'{"event_type_id": 1412903,', JSON),
    "malformed inside": (b'{"event_type_id": 1412903 "desired_start": 1}', JSON),
    "empty": (b"", JSON),
    "empty, no content type": (b"", None),
    "null": (b"null", JSON),
    "a list": (b"[]", JSON),
    "a string": (b'"2025-09-30T14:00"', JSON),
    "not JSON: text/plain": (encoded(VALID), "text/plain"),
    "not JSON: a form": (b"event_type_id=1412903", "application/x-www-form-urlencoded"),
    "no content type": (encoded(VALID), None),
    "wrong types": (encoded({"event_type_id": "abc", "desired_start": [1], "exclude": {"a": 1}}), JSON),
    "extra fields": (encoded({**VALID, "colour": "blue", "nested": {"x": 1}}), JSON),
    "required fields missing": (b"{}", JSON),
    "out of range": (
        encoded({**VALID, "max_alternatives": 0, "duration_minutes": 1441, "hold_minutes": 16, "deadline_ms": 0}),
        JSON,
    ),
    "event type not positive": (encoded({**VALID, "event_type_id": -1}), JSON),
    "unknown zone": (encoded({**VALID, "time_zone": "Mars/Olympus"}), JSON),
    "impossible date": (encoded({**VALID, "desired_start": "2025-02-30T10:00"}), JSON),
    "window backwards": (encoded({**VALID, "preferred_window": {"start": "12:00", "end": "09:00"}}), JSON),
    "window unknown": (encoded({**VALID, "preferred_window": "night"}), JSON),
    "exclude half with offset": (
        encoded({**VALID, "exclude": [{"start": "2025-09-30T15:00+02:00", "end": "2025-09-30T16:00"}]}),
        JSON,
    ),
    "too many excludes": (
        encoded({**VALID, "exclude": [{"start": "2025-09-30T15:00", "end": "2025-09-30T16:00"}] * 51}),
        JSON,
    ),
    "NaN": (b'{"event_type_id": NaN, "desired_start": "2025-09-30T14:00"}', JSON),
    "huge number": (b'{"event_type_id": 1e400, "desired_start": "2025-09-30T14:00"}', JSON),
    "not UTF-8": (b'{"event_type_id": 1412903, "desired_start": "\xff"}', JSON),
    "nested deeper than Python parses": (b"[" * 60_000 + b"]" * 60_000, JSON),
    "year 9999": (encoded({**VALID, "desired_start": "9999-12-31T23:45-10:00"}), JSON),
}

GOOD = {
    "plain": (encoded(VALID), JSON),
    "charset": (encoded(VALID), "application/json; charset=utf-8"),
    "+json": (encoded(VALID), "application/vnd.altslot+json"),
    "upper case type": (encoded(VALID), "Application/JSON"),
    "UTF-8 BOM": (b"\xef\xbb\xbf" + encoded(VALID), JSON),
    "UTF-16": (json.dumps(VALID).encode("utf-16"), JSON),
    "numbers as strings and floats": (encoded({**VALID, "event_type_id": "1412903", "max_alternatives": 3.0}), JSON),
    "unix time": (encoded({**VALID, "desired_start": 1759233600}), JSON),
    "duplicate keys": (b'{"event_type_id": 1, "event_type_id": 1412903, "desired_start": "2025-09-30T14:00"}', JSON),
    "every field": (
        encoded(
            {
                **VALID,
                "time_zone": "Europe/Berlin",
                "duration_minutes": 60,
                "max_alternatives": 3,
                "language": "en",
                "preferred_window": {"start": "09:00", "end": "12:00"},
                "exclude": [{"start": "2025-09-30T15:00", "end": "2025-09-30T16:00"}],
                "deadline_ms": 4000,
            }
        ),
        JSON,
    ),
    "named window, offsets": (
        encoded({**VALID, "desired_start": "2025-09-30T14:00+02:00", "preferred_window": "evening"}),
        JSON,
    ),
}


@pytest.mark.parametrize(("raw", "content_type"), BAD.values(), ids=BAD.keys())
def test_a_bad_body_is_refused_exactly_as_fastapi_refuses_it(url: str, raw: bytes, content_type: str | None) -> None:
    """A malformed, empty, non-JSON, mistyped, extra or out-of-range body gets FastAPI's own status and JSON."""
    fast = post(url, ROUTE, raw, content_type)
    assert fast.status_code in (400, 422), fast.text
    assert answer_of(fast) == answer_of(post(url, TWIN, raw, content_type))


@pytest.mark.parametrize(("raw", "content_type"), GOOD.values(), ids=GOOD.keys())
def test_a_good_body_is_read_as_fastapi_reads_it(url: str, raw: bytes, content_type: str | None) -> None:
    """Bodies FastAPI accepts (other encodings, lax numbers, every field) get the same answer from the route."""
    post(url, TWIN, raw, content_type)  # fills the cache, so both answers below come from it
    fast = post(url, ROUTE, raw, content_type)
    assert fast.status_code == 200, fast.text
    assert answer_of(fast) == answer_of(post(url, TWIN, raw, content_type))


def test_without_the_gate_in_front_the_route_answers_401(app: FastAPI) -> None:
    """Served without the gate (no tenant in the scope), a request with a valid token is a clear 401, not a 500."""
    with start_in_thread(app) as api:
        response = post(api.url, ROUTE, encoded(VALID), JSON)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


def test_the_openapi_document_is_the_one_fastapi_writes_for_a_declared_body(app: FastAPI) -> None:
    """The whole document equals FastAPI's own for the route declared with ``body: AlternativesRequest``."""
    routes = [twin_of(r, ROUTE) if r.path == ROUTE else r for r in iter_route_contexts(app.routes)]
    conventional_document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        summary=app.summary,
        description=app.description,
        terms_of_service=app.terms_of_service,
        contact=app.contact,
        license_info=app.license_info,
        routes=routes,
        webhooks=app.webhooks.routes,
        tags=app.openapi_tags,
        servers=app.servers,
        separate_input_output_schemas=app.separate_input_output_schemas,
        external_docs=app.openapi_external_docs,
    )
    document = app.openapi()
    assert {"AlternativesRequest", "ExcludeIn", "WindowIn"} <= set(document["components"]["schemas"])
    assert document == conventional_document
