"""The search log, written off the request path.

``SearchLogWriter.observe`` only appends the event and its time to a bounded in-memory queue (a full queue
drops the row and counts it; it never blocks). A background task builds the rows and writes them in
batches on a worker thread through ``searchtable.SearchLog``, and sweeps rows older than the retention. A
database error is logged once per outage and costs the batch, never a search.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from altslot.events import Event, SearchDone
from altslot.observability.searchtable import SearchLog, utc_now

log = logging.getLogger("altslot.searchlog")


class SearchLogWriter:
    """Queues ``SearchDone`` events and writes their rows in batches from a background task."""

    def __init__(
        self,
        store: SearchLog,
        *,
        retention_days: int = 30,
        flush_seconds: float = 2.0,
        batch_rows: int = 500,
        max_queue: int = 10_000,
        clock: Callable[[], datetime] = utc_now,
        sweep_seconds: float = 3600.0,
    ) -> None:
        self.store = store
        self.written = 0
        self.dropped: dict[str, int] = {"queue_full": 0, "db_error": 0}
        # Where counts go as they happen (metrics); ``written``/``dropped`` keep the totals.
        self.report: Callable[[str, int], None] = lambda kind, rows: None
        # Events with the time they arrived: their rows are built by the flush, off the search's path.
        self._queue: deque[tuple[SearchDone, datetime]] = deque()
        self._max_queue = max_queue
        self._batch = batch_rows
        self._interval = flush_seconds
        self._retention = retention_days
        self._sweep_every = sweep_seconds
        self._next_sweep = 0.0
        self._clock = clock
        self._failing = False
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    @property
    def pending(self) -> int:
        """Rows waiting for the next flush."""
        return len(self._queue)

    def observe(self, event: Event) -> None:
        """Queue a finished search for its row; never blocks, never raises for a full queue."""
        if not isinstance(event, SearchDone):
            return
        if len(self._queue) >= self._max_queue:
            self._count("queue_full", 1)
            return
        self._queue.append((event, self._clock()))

    def start(self) -> None:
        """Start the background flush task on the running loop (idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="altslot-search-log")

    async def stop(self) -> None:
        """Stop the background task, then write what is still queued."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self.flush()

    async def aclose(self) -> None:
        """Stop, flush and close the engine."""
        await self.stop()
        await asyncio.to_thread(self.store.close)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self.flush()
            if self._retention and time.monotonic() >= self._next_sweep:
                self._next_sweep = time.monotonic() + self._sweep_every
                await self.sweep()

    async def flush(self) -> int:
        """Write everything queued, in batches; returns rows written (0 during an outage)."""
        written = 0
        async with self._lock:
            while self._queue:
                batch = [self._queue.popleft() for _ in range(min(self._batch, len(self._queue)))]
                try:
                    await asyncio.to_thread(self._write, batch)
                except Exception as exc:
                    # Retrying would pile up rows behind a dead database; the log is best effort.
                    self._count("db_error", len(batch))
                    self._trouble(exc)
                    continue
                written += len(batch)
                self._count("written", len(batch))
                self._recovered()
        return written

    def _write(self, batch: Sequence[tuple[SearchDone, datetime]]) -> None:
        self.store.write(batch)

    async def sweep(self) -> int:
        """Delete rows older than the retention (nothing when it is 0)."""
        if not self._retention:
            return 0
        cutoff = self._clock() - timedelta(days=self._retention)
        try:
            return await asyncio.to_thread(self.store.sweep, cutoff)
        except Exception as exc:
            self._trouble(exc)
            return 0

    async def problem(self) -> str | None:
        """Why the database cannot be used right now, or None when it answers (within 3 s)."""
        try:
            await asyncio.wait_for(asyncio.to_thread(self.store.ping), 3.0)
        except Exception as exc:
            return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
        return None

    def _count(self, kind: str, rows: int) -> None:
        if kind == "written":
            self.written += rows
        else:
            self.dropped[kind] += rows
        self.report(kind, rows)

    def _trouble(self, exc: Exception) -> None:
        if not self._failing:
            self._failing = True
            log.warning("search log database unavailable, dropping rows until it returns: %s", exc)

    def _recovered(self) -> None:
        if self._failing:
            self._failing = False
            log.warning("search log database is back")
