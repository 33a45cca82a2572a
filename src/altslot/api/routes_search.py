"""The search route: a wish in, verified alternatives out (or a polite 503)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from altslot.api import present
from altslot.api.deps import Caller, runtime_of
from altslot.api.responses import SEARCH
from altslot.api.routes_ops import request_id
from altslot.api.schemas import AlternativesRequest, AlternativesResponse

router = APIRouter()


@router.post(
    "/api/appointments/alternatives",
    response_model=AlternativesResponse,
    responses=SEARCH,
    summary="Find verified alternatives around a desired time",
)
async def alternatives(
    body: AlternativesRequest, request: Request, caller: Caller, rid: Annotated[str, Depends(request_id)]
) -> Response:
    """Is the wish free; if not, the best few alternatives with a sentence to speak."""
    answer = await runtime_of(request).searcher.search(caller, body.wish(rid))
    return present.search_response(answer)
