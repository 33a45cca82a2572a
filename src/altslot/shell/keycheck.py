"""Each tenant's Cal.com API key, proven with one cheap authenticated call (``GET /v2/me``).

Searches cannot reveal a wrong key: ``GET /v2/slots`` has no auth guard at Cal.com, so a misconfigured
tenant searches fine and fails only when it holds or books. The key is therefore checked once at start-up
(in the background, so nothing waits for it) and again by ``/readyz`` when the last verdict is older than
``max_age``; the verdicts are reported per tenant and never stop a search.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable

from altslot.calcom.errors import CalcomError, Refused, RetryableError, Unauthorized
from altslot.types import Tenant
from altslot.upstream.gateway import Upstream

log = logging.getLogger("altslot.keys")
INVALID = "invalid"


class KeyChecks:
    """The latest verdict on every tenant's key: ``ok``, ``invalid: …``, ``missing`` or ``unreachable: …``."""

    def __init__(
        self,
        upstream: Upstream,
        tenants: Iterable[Tenant],
        *,
        budget: float,
        max_age: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._upstream = upstream
        self._tenants = list(tenants)
        self._budget = budget
        self._max_age = max_age
        self._clock = clock
        self._verdicts: dict[str, str] = {}
        self._checked_at: float | None = None
        self._running: asyncio.Task[dict[str, str]] | None = None

    async def _check(self, tenant: Tenant) -> str:
        if not tenant.calcom_api_key:
            return "missing"
        try:
            await self._upstream.call(tenant.account, "GET /v2/me", lambda c: c.me(), self._budget, retry=False)
        except Unauthorized as exc:
            log.error("tenant %s: Cal.com refuses its API key: %s", tenant.id, exc.message)
            return f"{INVALID}: {exc.message}"
        except (RetryableError, Refused) as exc:  # a refusal of our own: the key could not be asked in time
            return f"unreachable: {type(exc).__name__}"
        except CalcomError as exc:
            return f"unknown: {type(exc).__name__}: {exc.message}"
        return "ok"

    async def _refresh(self) -> dict[str, str]:
        verdicts = await asyncio.gather(*(self._check(t) for t in self._tenants))
        self._verdicts = {t.id: v for t, v in zip(self._tenants, verdicts, strict=True)}
        self._checked_at = self._clock()
        return dict(self._verdicts)

    async def refresh(self) -> dict[str, str]:
        """Check every key now; concurrent callers share one round of checks."""
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._refresh())
        return await asyncio.shield(self._running)

    async def report(self) -> dict[str, str]:
        """The verdicts, re-checked first when they are older than ``max_age`` (or missing)."""
        if self._checked_at is None or self._clock() - self._checked_at >= self._max_age:
            return await self.refresh()
        return dict(self._verdicts)

    def start(self) -> None:
        """Check the keys in the background (at start-up): nothing waits for the answer."""
        if self._running is None:
            self._running = asyncio.create_task(self._refresh())

    async def aclose(self) -> None:
        """Stop a check that is still running."""
        if self._running is not None and not self._running.done():
            self._running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._running


def any_invalid(verdicts: dict[str, str]) -> bool:
    """Whether Cal.com refused at least one tenant's key."""
    return any(v.startswith(INVALID) for v in verdicts.values())
