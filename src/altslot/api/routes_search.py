"""The search route: a wish in, verified alternatives out (or a polite 503).

It is the warm path, so it takes only the ``Request``: the body is validated once from its bytes
(``altslot.api.jsonbody``), the tenant is the one the gate found, the request id the one ``RequestId`` gave,
and the answer is encoded once. The OpenAPI document still says what a ``body: AlternativesRequest`` route says.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, cast

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute

from altslot.api import present
from altslot.api.deps import bearer, gate_tenant
from altslot.api.jsonbody import documents, read_json
from altslot.api.requestid import request_id_of
from altslot.api.responses import SEARCH
from altslot.api.schemas import AlternativesRequest, AlternativesResponse
from altslot.shell.runtime import Runtime

BODIES = (AlternativesRequest,)
"""The request bodies these routes read themselves (for the OpenAPI document's components)."""


class DirectRoute(APIRoute):
    """A route whose endpoint takes the ``Request`` alone and returns its ``Response``.

    FastAPI's request handler would solve the endpoint's (empty) dependencies and look for a response model to
    validate against on every request; this route calls the endpoint straight away. Routing, error handlers and
    the OpenAPI document stay FastAPI's (the class is FastAPI's ``route_class`` hook).
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The endpoint itself."""
        return cast(Callable[[Request], Coroutine[Any, Any, Response]], self.endpoint)


def add_search_route(router: APIRouter, runtime: Runtime) -> None:
    """Put the search route of an app around ``runtime`` on the app's own ``router``.

    On the app's router itself, not an included one: FastAPI (0.16x) keeps an included router as a layer of
    its own that every request passes through again (≈ 8 µs of a warm search's ≈ 100 in process).
    """
    searcher = runtime.searcher

    async def alternatives(request: Request) -> Response:
        """Is the wish free; if not, the best few alternatives with a sentence to speak."""
        scope = request.scope
        caller = gate_tenant(scope)
        body = await read_json(request, AlternativesRequest)
        return present.search_response(await searcher.search(caller, body.wish(request_id_of(scope))))

    router.add_api_route(
        "/api/appointments/alternatives",
        alternatives,
        methods=["POST"],
        response_model=AlternativesResponse,
        responses=SEARCH,
        summary="Find verified alternatives around a desired time",
        openapi_extra=documents(AlternativesRequest, bearer),
        route_class_override=DirectRoute,
    )
