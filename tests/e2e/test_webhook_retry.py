"""D16: a webhook delivery counts as seen only once it was applied, so Cal.com's retry is not lost."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from altslot.availability.assembler import Availability
from altslot.booking.webhooks import WebhookHandler
from altslot.cache.redis import RedisDayCache
from altslot.calcom.client import CalcomPool
from altslot.shared.kv import MemoryKeyValue
from altslot.types import Tenant
from altslot.upstream import build_guard
from altslot.upstream.gateway import Upstream
from tests.e2e.test_booking import signed, webhook_body
from tests.support.redis_servers import PrivateRedis
from tests.support.world import NOW


@pytest.fixture
def tenant() -> Tenant:
    """The salon tenant, resolved as altslot does."""
    from altslot.shell.config import Settings
    from altslot.shell.tenants import build_tenant
    from tests.support.world import tenant_settings

    settings = Settings()
    return build_tenant("salon", tenant_settings("t", "k", "http://127.0.0.1:1", "whsec"), settings, {})


@pytest.fixture
def handler_parts(private_redis: PrivateRedis) -> tuple[Availability, Redis]:
    """An availability on a private Redis (which the test may stop) and an upstream nobody calls."""
    redis = Redis.from_url(private_redis.url, socket_connect_timeout=0.5)
    pool = CalcomPool(timeout=1, max_connections=1, slots_version="2024-09-04", bookings_version="2024-08-13")
    upstream = Upstream(pool, build_guard(), fetch_budget=1.0)
    availability = Availability(
        RedisDayCache(redis), upstream.get_slots, lambda: NOW, fresh_ttl=60, max_stale=900, max_range_days=31
    )
    return availability, redis


@pytest.fixture
def anyio_backend() -> str:
    """Run the async tests on asyncio (the service's loop)."""
    return "asyncio"


@pytest.mark.anyio
async def test_failed_webhook_delivery_is_applied_on_the_retry(
    tenant: Tenant, handler_parts: tuple[Availability, Redis], private_redis: PrivateRedis
) -> None:
    """D16: a delivery that failed while being applied is applied when Cal.com sends it again."""
    availability, redis = handler_parts
    kv = MemoryKeyValue()
    handler = WebhookHandler(availability, kv)
    body = webhook_body("2025-09-30T13:00:00Z", "2025-09-30T13:30:00Z")
    private_redis.stop()
    with pytest.raises(Exception):  # noqa: B017, PT011 — the day cache is down: any Redis error
        await handler.handle(tenant, body, signed(body, "whsec")["X-Cal-Signature-256"])
    private_redis.start()
    await redis.connection_pool.disconnect()
    result = await handler.handle(tenant, body, signed(body, "whsec")["X-Cal-Signature-256"])
    assert result.status == "refreshed"
    again = await handler.handle(tenant, body, signed(body, "whsec")["X-Cal-Signature-256"])
    assert again.status == "duplicate"
    await redis.aclose()
