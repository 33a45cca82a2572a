"""Authentication before anything else, failed-authentication limits, webhook and metrics tokens (issue 16)."""

from __future__ import annotations

import uuid

import httpx
import pytest

from altslot.observability import ObservabilitySettings
from altslot.shell.config import CacheSettings
from altslot.shell.http_settings import ServerSettings
from tests.support.redis_servers import PrivateRedis
from tests.support.world import EVENT, TOKEN, World, running, salon_data

LIMITED = ServerSettings(failed_auth_limit="3/minute")
SEARCH = {"event_type_id": EVENT, "desired_start": "2025-09-30T10:00"}


def from_address(address: str, token: str | None = None) -> dict[str, str]:
    """Headers of a request relayed by a local proxy for ``address`` (uvicorn trusts 127.0.0.1's header)."""
    headers = {"X-Forwarded-For": address}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def a_stranger() -> str:
    """A documentation address no other test uses (the limit is per address and may live in Redis)."""
    part = uuid.uuid4().hex
    return f"2001:db8::{part[:4]}:{part[4:8]}"


def search_as(world: World, headers: dict[str, str], instance: int = 0) -> httpx.Response:
    return world.http.post(f"{world.apis[instance].url}/api/appointments/alternatives", json=SEARCH, headers=headers)


@pytest.mark.parametrize(
    ("path", "content", "content_type"),
    [
        ("/api/appointments/alternatives", b"{", "application/json"),
        ("/api/appointments", b"[1, 2", "application/json"),
        ("/api/appointments/b1/cancel", b"a=1&b=2", "application/x-www-form-urlencoded"),
        ("/api/appointments/b?1/reschedule", b"--x\r\n", "multipart/form-data; boundary=x"),
        ("/api/appointments/nope", b"{}", "application/json"),
    ],
)
def test_no_token_is_401_whatever_the_body(path: str, content: bytes, content_type: str) -> None:
    """Without a valid token every API route answers 401 before the body is read or parsed (D17)."""
    with running(salon_data()) as world:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic dDp0"}):
            response = world.http.post(
                f"{world.api.url}{path}", content=content, headers={**headers, "Content-Type": content_type}
            )
            assert response.status_code == 401, response.text
            assert response.json() == {"error": "unauthorized", "message": "a valid bearer token is required"}
            assert response.headers["www-authenticate"] == "Bearer"


def flood(world: World, address: str, count: int, instance: int = 0) -> list[int]:
    """Statuses of ``count`` searches with random wrong tokens from ``address``."""
    return [search_as(world, from_address(address, f"guess{n}"), instance).status_code for n in range(count)]


def test_failed_authentications_are_limited_per_address_but_valid_tokens_never() -> None:
    """Past the limit a guesser gets 429 with Retry-After; valid tokens from that address still get 200 (D15)."""
    with running(salon_data(), server=LIMITED) as world:
        guesser, neighbour = a_stranger(), "198.51.100.9"
        assert flood(world, guesser, 6) == [401, 401, 401, 429, 429, 429]
        refused = search_as(world, from_address(guesser, "guess"))
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.json()["error"] == "too_many_failures"
        for _ in range(5):
            assert search_as(world, from_address(guesser, TOKEN)).status_code == 200
        assert flood(world, neighbour, 1) == [401]


def test_failed_authentication_limit_is_shared_through_redis(redis_url: str) -> None:
    """Two instances on one Redis count one address's failures together (D15)."""
    cache = CacheSettings(backend="redis", redis_url=redis_url)
    with running(salon_data(), server=LIMITED, cache=cache, instances=2) as world:
        guesser = a_stranger()
        assert flood(world, guesser, 2, instance=0) + flood(world, guesser, 1, instance=1) == [401, 401, 401]
        assert flood(world, guesser, 1, instance=0) == [429]
        assert search_as(world, from_address(guesser, TOKEN), instance=1).status_code == 200


SECRET = "whsec_test"


def webhook(world: World, tenant: str, headers: dict[str, str]) -> httpx.Response:
    body = b'{"triggerEvent": "BOOKING_CREATED", "payload": {}}'
    return world.http.post(f"{world.api.url}/webhooks/calcom/{tenant}", content=body, headers=headers)


def test_webhook_unknown_tenant_answers_like_a_bad_signature() -> None:
    """An unknown tenant's webhook is the same 401 as a wrong signature: tenant names cannot be probed (D17)."""
    with running(salon_data(), webhook_secret=SECRET) as world:
        address = a_stranger()
        wrong = {**from_address(address), "X-Cal-Signature-256": "00" * 32}
        unknown = webhook(world, "no-such-salon", wrong)
        known = webhook(world, "salon", wrong)
        assert unknown.status_code == known.status_code == 401
        assert unknown.json() == known.json()
        assert unknown.headers.get("www-authenticate") == known.headers.get("www-authenticate")


def test_bad_webhook_signatures_count_as_failed_authentications() -> None:
    """Guessing signatures meets the same per-address limit as guessing tokens (D15)."""
    with running(salon_data(), webhook_secret=SECRET, server=LIMITED) as world:
        wrong = {**from_address(a_stranger()), "X-Cal-Signature-256": "00" * 32}
        statuses = [webhook(world, name, wrong).status_code for name in ("salon", "x", "salon", "salon")]
        assert statuses == [401, 401, 401, 429]


def metrics_as(world: World, headers: dict[str, str]) -> httpx.Response:
    return world.http.get(f"{world.api.url}/metrics", headers=headers)


def test_metrics_token_is_required_when_configured() -> None:
    """With ``metrics_token`` /metrics needs that bearer token, from any address (D17)."""
    observability = ObservabilitySettings(search_log_url="", metrics_token="scrape-me")
    with running(salon_data(), observability=observability) as world:
        assert metrics_as(world, {}).status_code == 401
        assert metrics_as(world, {"Authorization": f"Bearer {TOKEN}"}).status_code == 401
        answer = metrics_as(world, from_address(a_stranger(), "scrape-me"))
        assert answer.status_code == 200 and "calcom_api_calls_total" in answer.text


def test_metrics_without_a_token_say_nothing_to_a_stranger() -> None:
    """Without ``metrics_token`` only the same host may read /metrics; a remote client gets a bare 404 (D17)."""
    with running(salon_data()) as world:
        world.search(desired_start="2025-09-30T10:00")
        local = metrics_as(world, {})
        assert local.status_code == 200 and "salon" in local.text
        remote = metrics_as(world, from_address(a_stranger()))
        assert remote.status_code == 404
        assert "salon" not in remote.text


def test_docs_exposure_is_configurable() -> None:
    """``[server] expose_docs = true`` serves /docs, /redoc and /openapi.json (off by default) (D17)."""
    with running(salon_data(), server=ServerSettings(expose_docs=True)) as world:
        for path in ("/openapi.json", "/docs", "/redoc"):
            assert world.http.get(f"{world.api.url}{path}").status_code == 200, path


def test_failed_authentications_are_still_limited_while_redis_is_down(private_redis: PrivateRedis) -> None:
    """With Redis gone the instance counts in memory (afresh): the limit holds, valid tokens still pass (D15)."""
    cache = CacheSettings(backend="redis", redis_url=private_redis.url)
    with running(salon_data(), server=LIMITED, cache=cache) as world:
        guesser = a_stranger()
        assert flood(world, guesser, 1) == [401]
        private_redis.stop()
        assert flood(world, guesser, 4) == [401, 401, 401, 429]
        assert search_as(world, from_address(guesser, TOKEN)).status_code == 200
