"""The day-cache interface every backend implements."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from altslot.types import DayKey


def new_version() -> int:
    """A fresh version for a day entry: random, so versions written by different instances never collide."""
    return random.getrandbits(62)


@dataclass(frozen=True, slots=True)
class DayEntry:
    """The free slot starts (aware UTC) of one day, when they were fetched, and the slot length.

    ``length_minutes`` is the length Cal.com reported (0 when the day had no slot to learn it from).
    ``version`` is new with every write (a fetch, a booking or hold taken out, a refresh): whatever was built
    from a day (a search's slot index) stays valid exactly as long as the day's version does.
    """

    starts: tuple[datetime, ...]
    fetched_at: datetime
    length_minutes: int
    version: int = field(default_factory=new_version, compare=False)


class DayCache(Protocol):
    """Stores day entries; expiry beyond ``ttl_seconds`` is the backend's job, freshness the caller's."""

    async def get_many(self, keys: Sequence[DayKey]) -> dict[DayKey, DayEntry]:
        """The entries present for ``keys`` (absent keys are left out)."""
        ...

    async def set_many(self, entries: Mapping[DayKey, DayEntry], ttl_seconds: float) -> None:
        """Store or replace entries; they may vanish after ``ttl_seconds``."""
        ...

    async def delete(self, keys: Sequence[DayKey]) -> None:
        """Forget these days."""
        ...


@runtime_checkable
class CountsWrites(Protocol):
    """A cache only this process writes, counting every change: while ``writes`` stands, each entry is as last read.

    The in-process cache is one; a shared cache (Redis) is not, since other instances write to it.
    """

    @property
    def writes(self) -> int:
        """Changes so far: stores, deletions, expiries and evictions alike."""
        ...


class Leases(Protocol):
    """Decides which instance fetches a day, so a cold start sends one call across all instances."""

    async def acquire(self, keys: Sequence[DayKey], ttl_seconds: float) -> list[DayKey]:
        """Take the free leases among ``keys``; returns the ones taken."""
        ...

    async def release(self, keys: Sequence[DayKey]) -> None:
        """Give back leases this instance holds."""
        ...

    async def held(self, keys: Sequence[DayKey]) -> list[DayKey]:
        """The keys whose lease someone holds."""
        ...


class LocalLeases:
    """One instance alone: every lease is free (in-process single-flight already dedupes)."""

    async def acquire(self, keys: Sequence[DayKey], ttl_seconds: float) -> list[DayKey]:
        """All of them."""
        return list(keys)

    async def release(self, keys: Sequence[DayKey]) -> None:
        """Nothing to give back."""

    async def held(self, keys: Sequence[DayKey]) -> list[DayKey]:
        """None are held elsewhere."""
        return []
