"""Subscribe metrics, the search line and the search log to a runtime's events, per ``[observability]``."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from altslot.events import Events
from altslot.observability.logs import SearchLines
from altslot.observability.settings import ObservabilitySettings

if TYPE_CHECKING:
    from altslot.observability.metrics import Metrics
    from altslot.observability.searchlog import SearchLogWriter

log = logging.getLogger("altslot.observability")


@dataclass
class Observability:
    """The observers of one runtime; the search-log writer's task runs between ``start`` and ``stop``."""

    lines: SearchLines
    metrics: Metrics | None = None
    search_log: SearchLogWriter | None = None

    def start(self) -> None:
        """Start background work (call inside the serving event loop)."""
        if self.search_log is not None:
            self.search_log.start()

    async def stop(self) -> None:
        """Stop background work and write what is queued."""
        if self.search_log is not None:
            await self.search_log.stop()
        if self.metrics is not None:
            self.metrics.close()

    async def aclose(self) -> None:
        """Stop, flush and close the database engine."""
        if self.search_log is not None:
            await self.search_log.aclose()

    async def problems(self) -> dict[str, str]:
        """Dependencies of the observers that do not answer right now (``search_log`` → reason)."""
        if self.search_log is None:
            return {}
        problem = await self.search_log.problem()
        return {} if problem is None else {"search_log": problem}


def install_observers(
    settings: ObservabilitySettings,
    events: Events,
    tenants: Iterable[str],
    environ: Mapping[str, str] | None = None,
) -> Observability:
    """Build the observers ``settings`` ask for and subscribe them to ``events``.

    ``environ`` (default ``os.environ``) says, as for prometheus-client itself, whether this process is one
    of ``altslot serve``'s workers (``PROMETHEUS_MULTIPROC_DIR``).
    """
    lines = SearchLines()
    events.subscribe(lines.observe)
    found = Observability(lines)
    if settings.metrics:
        from altslot.observability.metrics import Metrics
        from altslot.observability.multiproc import ENV

        multiprocess_dir = (os.environ if environ is None else environ).get(ENV)
        found.metrics = Metrics(tenants, multiprocess_dir=multiprocess_dir)
        events.subscribe(found.metrics.observe)
    if settings.search_log_url:
        found.search_log = _writer(settings)
        if found.search_log is not None:
            events.subscribe(found.search_log.observe)
            if found.metrics is not None:
                found.search_log.report = found.metrics.search_log_rows
    return found


def _writer(settings: ObservabilitySettings) -> SearchLogWriter | None:
    from altslot.observability.searchlog import SearchLogWriter
    from altslot.observability.searchtable import SearchLog

    try:
        store = SearchLog(settings.search_log_url, settings.search_log_table)
    except Exception as exc:
        # A missing driver (say psycopg without the postgres extra) must not stop the service.
        log.warning("search log disabled: cannot use %s: %s", settings.search_log_url.split("://")[0], exc)
        return None
    return SearchLogWriter(
        store,
        retention_days=settings.search_log_retention_days,
        flush_seconds=settings.search_log_flush_seconds,
        max_queue=settings.search_log_queue,
    )
