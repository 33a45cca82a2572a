"""altslot: verified alternative appointment times in front of the Cal.com API."""

from __future__ import annotations

__all__: list[str] = []
