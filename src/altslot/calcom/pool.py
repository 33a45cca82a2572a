"""Connection pools to Cal.com: one bounded pool per base URL, shared by every tenant that uses it."""

from __future__ import annotations

import httpx

from altslot.calcom.client import CalcomClient, Transport


class CalcomPool:
    """One bounded connection pool per Cal.com base URL, shared by every tenant that uses it."""

    def __init__(
        self,
        *,
        timeout: float,
        max_connections: int,
        slots_version: str,
        bookings_version: str,
        transport: Transport | None = None,
    ) -> None:
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 2.0))
        self._limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._versions = {"slots_version": slots_version, "bookings_version": bookings_version}
        self._transport = transport
        self._http: dict[str, httpx.AsyncClient] = {}

    def client(self, base_url: str, api_key: str | None) -> CalcomClient:
        """A client for one tenant's key on the shared pool of ``base_url``."""
        http = self._http.get(base_url)
        if http is None:
            http = httpx.AsyncClient(
                base_url=base_url, timeout=self._timeout, limits=self._limits, transport=self._transport
            )
            self._http[base_url] = http
        return CalcomClient(http, api_key, **self._versions)

    async def aclose(self) -> None:
        """Close every pool."""
        for http in self._http.values():
            await http.aclose()
        self._http.clear()
