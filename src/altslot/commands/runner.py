"""Run one search in process (the ``find`` command) through the same service the HTTP API uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from altslot.api import present
from altslot.api.schemas import AlternativesRequest
from altslot.availability.warming import WarmSummary, warm_once
from altslot.errors import InvalidField, NotOwned
from altslot.search.answers import Unavailable
from altslot.shell.config import Settings
from altslot.shell.runtime import build_runtime, system_clock
from altslot.types import Clock


async def run_search(
    settings: Settings, tenant_name: str, body: dict[str, Any], clock: Clock | None = None
) -> tuple[int, dict[str, Any]]:
    """Answer one request for a named tenant; returns the HTTP status it would get and the JSON body."""
    runtime = build_runtime(settings, clock=clock or system_clock)
    try:
        tenant = runtime.tenants.get(tenant_name)
        if tenant is None:
            raise LookupError(f"--tenant: no tenant {tenant_name!r} in the config")
        wish = AlternativesRequest.model_validate(body).wish()
        try:
            answer = await runtime.searcher.search(tenant, wish)
        except NotOwned as exc:
            raise LookupError(f"--event-type: {exc.event_type_id} is not configured for tenant {tenant_name}") from None
        except InvalidField as exc:
            raise LookupError(f"--at: {exc.message}") from None
        if isinstance(answer, Unavailable):
            return 503, present.unavailable_body(answer).model_dump(mode="json")
        return 200, present.alternatives(answer).model_dump(mode="json")
    finally:
        await runtime.aclose()


async def run_warm(
    settings: Settings,
    tenant_names: list[str],
    days: int,
    on_progress: Callable[[int], None],
    clock: Clock | None = None,
) -> WarmSummary:
    """One warming pass over the named tenants (the ``warm`` command)."""
    runtime = build_runtime(settings, clock=clock or system_clock)
    try:
        tenants = [t for t in runtime.tenants if t.id in tenant_names]
        return await warm_once(
            tenants,
            runtime.availability,
            runtime.clock,
            days=days,
            wait_seconds=settings.search.deadline_seconds * 6,
            on_progress=on_progress,
        )
    finally:
        await runtime.aclose()
