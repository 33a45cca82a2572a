"""The gateway: every Cal.com call of every tenant, through the guard (the order is in ``altslot.upstream``).

``Upstream`` puts the guard around every client call, so searches, holds, the warmer and the booking path all
reach Cal.com the same way, and every attempt is reported as an event.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from altslot.calcom.client import CalcomClient, CalcomPool, DaySlots
from altslot.calcom.errors import CalcomError
from altslot.events import Events, UpstreamCall
from altslot.types import Account
from altslot.upstream import Guard, api_key_identity

T = TypeVar("T")


@dataclass(eq=False)
class Upstream:
    """Cal.com access for every tenant: shared connection pools, each call through the guard."""

    pool: CalcomPool
    guard: Guard
    fetch_budget: float
    """The budget of a call that names none of its own."""
    events: Events = field(default_factory=Events)

    def client(self, account: Account) -> CalcomClient:
        """The account's Cal.com client (unguarded: use ``call``)."""
        return self.pool.client(account.base_url, account.api_key)

    @staticmethod
    def key(account: Account) -> str:
        """The identity breaker and limiter use for the account's Cal.com key (never the key itself)."""
        return api_key_identity(f"{account.base_url} {account.api_key or 'anonymous'}")

    async def call(
        self,
        account: Account,
        endpoint: str,
        op: Callable[[CalcomClient], Awaitable[T]],
        budget: float | None = None,
        *,
        retry: bool = True,
    ) -> T:
        """Run one client operation for the account through breaker, rate limit and (unless told) retry.

        ``endpoint`` (``"GET /v2/slots"``) names the call in events; every attempt is reported.
        """
        client = self.client(account)
        deadline = self.guard.deadline(self.fetch_budget if budget is None else budget)

        async def attempt() -> T:
            started = time.perf_counter()
            try:
                result = await op(client)
            except CalcomError as exc:
                self._report(account, endpoint, exc.status, started, type(exc).__name__)
                raise
            self._report(account, endpoint, 200, started, None)
            return result

        # Creating a booking is not idempotent at Cal.com: a retry after a lost answer could book twice.
        return await self.guard.call(
            self.key(account), account.tenant, attempt, deadline, rate_info=lambda: client.last_rate_limit, retry=retry
        )

    def _report(self, account: Account, endpoint: str, status: int | None, started: float, error: str | None) -> None:
        elapsed = time.perf_counter() - started
        self.events.emit(UpstreamCall(account.tenant, endpoint, status, elapsed, error))

    async def get_slots(
        self,
        account: Account,
        event_type_id: int,
        start: datetime,
        end: datetime,
        zone: str,
        duration: int | None,
    ) -> DaySlots:
        """Free slots of one event type between two UTC instants, grouped by local date in ``zone`` (retried)."""
        return await self.call(
            account, "GET /v2/slots", lambda c: c.get_slots(event_type_id, start, end, zone, duration)
        )
