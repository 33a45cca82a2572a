"""The one place that composes the upstream stack; its order is stated in ``altslot.upstream``."""

from __future__ import annotations

from typing import Unpack

from altslot.calcom.client import CalcomPool
from altslot.events import Events
from altslot.upstream.gateway import Upstream
from altslot.upstream.guard import GuardOptions, ResilienceSettings, build_guard


def build_upstream(
    settings: ResilienceSettings, pool: CalcomPool, *, fetch_budget: float, **options: Unpack[GuardOptions]
) -> Upstream:
    """Cal.com access for every tenant: ``pool``'s clients, each call through deadline → breaker → rate limit → retry.

    ``fetch_budget`` bounds a call that names no budget of its own; ``options`` go to ``build_guard`` (with
    ``redis`` the breaker state and the rate-limit windows are shared across instances).
    """
    guard = build_guard(settings, **options)
    return Upstream(pool, guard, fetch_budget, options.get("events") or Events())
