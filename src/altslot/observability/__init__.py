"""Observability: Prometheus metrics, one JSON log line per search, the search log table, ``stats``.

Everything here subscribes to ``altslot.events``; the core imports none of it. This package's
``__init__`` stays light (config imports ``ObservabilitySettings``); the heavy parts (SQLAlchemy,
prometheus-client) load only where they are used.
"""

from __future__ import annotations

from altslot.observability.settings import ObservabilitySettings

__all__ = ["ObservabilitySettings"]
