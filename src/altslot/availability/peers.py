"""Waiting for days another instance is fetching under its lease, and taking over when it stays silent.

A waiter polls the shared cache and the leases. It stops when the day lands, when the lease is released
or lapses (the caller then tries to lease the day itself), or at its give-up point: ``TAKEOVER_RESERVE_SECONDS``
before the caller's deadline. Then it fetches the day itself while it keeps watching, so a holder that is
only slow still answers if it delivers first, and a lease orphaned by a Redis blip costs one extra upstream
call instead of a 503.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime

from altslot.cache.base import DayCache, DayEntry, Leases
from altslot.types import DayKey

POLL_SECONDS = 0.02  # how often a waiter looks for a day another instance is fetching
TAKEOVER_RESERVE_SECONDS = 1.0
"""How long before its deadline a waiter fetches itself (at most half its wait): one Cal.com call fits."""

Futures = dict[DayKey, "asyncio.Future[DayEntry]"]


class PeerWatch:
    """Polls for days whose lease another instance holds, on an injected monotonic clock and sleep."""

    def __init__(
        self,
        cache: DayCache,
        leases: Leases,
        monotonic: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self._cache = cache
        self._leases = leases
        self._monotonic = monotonic
        self._sleep = sleep
        self.awaiting: set[DayKey] = set()
        """Days being waited for right now (a 503 on one of them is the lease holder's, not Cal.com's)."""

    def give_up_at(self, patience: float | None) -> float | None:
        """The monotonic instant a caller waiting ``patience`` seconds stops waiting for others (None: never)."""
        if patience is None:
            return None
        return self._monotonic() + max(patience - min(TAKEOVER_RESERVE_SECONDS, patience / 2), 0)

    async def landed(self, keys: Iterable[DayKey], before: dict[DayKey, datetime]) -> dict[DayKey, DayEntry]:
        """Days in the cache that were fetched since ``before`` was taken."""
        found = await self._cache.get_many(list(keys))
        return {k: e for k, e in found.items() if before.get(k) != e.fetched_at}

    async def wait(
        self, keys: list[DayKey], before: dict[DayKey, datetime], give_up_at: float | None
    ) -> dict[DayKey, DayEntry] | None:
        """Poll until another instance's fetch lands, or its lease is gone ({}: the caller retries).

        None when ``give_up_at`` came first: the caller fetches the days itself.
        """
        self.awaiting.update(keys)
        try:
            while True:
                landed = await self.landed(keys, before)
                if landed:
                    return landed
                if not await self._leases.held(keys):
                    # Released: either the day landed between our two looks, or the holder gave up
                    # ({}: the caller takes over). Looking again keeps a finished fetch from being repeated.
                    return await self.landed(keys, before)
                if give_up_at is not None and self._monotonic() >= give_up_at:
                    return None
                await self._sleep(POLL_SECONDS)
        finally:
            self.awaiting.difference_update(keys)


def deliver(futures: Futures, entries: dict[DayKey, DayEntry]) -> None:
    """Resolve the futures of ``entries`` that are still open."""
    for key, entry in entries.items():
        if not futures[key].done():
            futures[key].set_result(entry)


async def first_to_land(
    futures: Futures,
    keys: list[DayKey],
    own: Awaitable[dict[DayKey, DayEntry]],
    peer: Awaitable[dict[DayKey, DayEntry] | None],
) -> None:
    """Resolve ``keys`` from our own fetch or the peer's, whichever lands first; the other is cancelled."""

    async def ours() -> dict[DayKey, DayEntry] | None:
        return await own

    pending = {asyncio.ensure_future(ours()), asyncio.ensure_future(peer)}
    error: BaseException | None = None
    try:
        while pending and not all(futures[k].done() for k in keys):
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task.exception() is not None:
                    error = task.exception()
                else:
                    deliver(futures, task.result() or {})
    finally:
        for task in pending:
            task.cancel()
    if error is not None and not all(futures[k].done() for k in keys):
        raise error
