"""The HTTP API (FastAPI): routes translate between JSON and the service, nothing more."""

from __future__ import annotations

from altslot.api.app import create_app

__all__ = ["create_app"]
