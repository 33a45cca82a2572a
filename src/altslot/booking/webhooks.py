"""Cal.com webhooks: verify the signature, then refresh exactly the days a booking change touched."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from altslot.availability.assembler import Availability
from altslot.errors import BadPayload, BadSignature
from altslot.shared.keys import webhook_key
from altslot.shared.kv import KeyValue
from altslot.types import FIRST_YEAR, LAST_YEAR, Tenant

HANDLED = frozenset({"BOOKING_CREATED", "BOOKING_CANCELLED", "BOOKING_RESCHEDULED"})
REPLAY_TTL = 24 * 3600.0


def signature_valid(secret: str, body: bytes, signature: str | None) -> bool:
    """Cal.com's ``X-Cal-Signature-256``: hex HMAC-SHA256 of the raw body, compared in constant time."""
    if not signature:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


@dataclass(frozen=True)
class WebhookResult:
    """What a delivery did."""

    status: Literal["refreshed", "ignored", "duplicate"]
    days: int = 0


def _instant(value: Any, key: str) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        # Year 1 or 9999 at ±14:00 cannot even be converted to UTC.
        raise BadPayload(f"payload.{key}: must lie between the years {FIRST_YEAR} and {LAST_YEAR}")
    return moment if moment.tzinfo else None


def parse_delivery(body: bytes) -> Any:
    """The JSON of a delivery; 422 for anything else, however deeply it nests."""
    try:
        return json.loads(body)
    except RecursionError as exc:
        raise BadPayload("body nests too deeply") from exc
    except ValueError as exc:
        raise BadPayload("body is not JSON") from exc


class WebhookHandler:
    """Applies verified deliveries to the cache; a replayed delivery changes nothing twice."""

    def __init__(self, availability: Availability, kv: KeyValue) -> None:
        self._availability = availability
        self._kv = kv

    async def handle(self, tenant: Tenant, body: bytes, signature: str | None) -> WebhookResult:
        """Verify, de-duplicate and apply one delivery; it counts as seen only once it was applied."""
        if tenant.webhook_secret is None or not signature_valid(tenant.webhook_secret, body, signature):
            raise BadSignature
        envelope = parse_delivery(body)
        if not isinstance(envelope, dict) or not isinstance(envelope.get("triggerEvent"), str):
            raise BadPayload("no triggerEvent")
        trigger = envelope["triggerEvent"]
        payload = envelope.get("payload")
        if trigger not in HANDLED or not isinstance(payload, dict):
            return WebhookResult("ignored")
        moments = [_instant(payload.get(k), k) for k in ("startTime", "rescheduleStartTime")]
        touched = {m.astimezone(tenant.policy.zone).date(): m for m in moments if m is not None}
        start, end = _instant(payload.get("startTime"), "startTime"), _instant(payload.get("endTime"), "endTime")
        seen = webhook_key(tenant.id, body)
        if await self._kv.get(seen) is not None:
            return WebhookResult("duplicate")
        result = await self._apply(tenant, trigger, touched, start, end)
        # Marked only once applied: a delivery that failed half-way is applied again when Cal.com retries.
        # Two copies arriving together may both apply, which is harmless (taking out and refreshing).
        await self._kv.put(seen, "1", REPLAY_TTL)
        return result

    async def _apply(
        self, tenant: Tenant, trigger: str, touched: dict[date, datetime], start: datetime | None, end: datetime | None
    ) -> WebhookResult:
        if trigger != "BOOKING_CANCELLED" and start and end:
            # Taken at once; the refresh below then brings Cal.com's exact view (buffers and all).
            await self._availability.take(tenant, start, end)
        for moment in touched.values():
            await self._availability.refresh_cached(tenant, moment)
        return WebhookResult("refreshed", days=len(touched))
