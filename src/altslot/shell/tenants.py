"""Tenants resolved from settings: secrets read, policy built, tokens indexed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from datetime import timedelta
from zoneinfo import ZoneInfo

import holidays
from pydantic import SecretStr

from altslot.shell.config import Settings, check_unique_tokens
from altslot.shell.tenant_settings import TenantSettings
from altslot.types import Policy, Tenant, TenantId, VoiceProfile


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class TenantRegistry:
    """Maps caller tokens to tenants by their SHA-256 digests, so a lookup's timing tells nothing of a token.

    The digest of what a caller sends is looked up in a dictionary of the tokens' digests: one lookup whatever the
    number of tenants, and what it compares are digests, never the token itself.
    """

    def __init__(self, tenants: Mapping[TenantId, Tenant], tokens: Mapping[bytes, TenantId]) -> None:
        self._tenants = dict(tenants)
        self._tokens = dict(tokens)

    def by_token(self, token: str) -> Tenant | None:
        """The tenant a bearer token belongs to, or None."""
        found = self._tokens.get(_digest(token))
        return None if found is None else self._tenants[found]

    def get(self, tenant_id: str) -> Tenant | None:
        """The tenant with this id, or None."""
        return self._tenants.get(TenantId(tenant_id))

    def __iter__(self) -> Iterator[Tenant]:
        return iter(self._tenants.values())

    def __len__(self) -> int:
        return len(self._tenants)


def _secret(value: SecretStr | None, var: str | None, env: Mapping[str, str]) -> str | None:
    if var:
        return env.get(var)
    return value.get_secret_value() if value else None


def build_tenant(name: str, cfg: TenantSettings, settings: Settings, env: Mapping[str, str]) -> Tenant:
    """Resolve one tenant's secrets and policy."""
    calendar = (
        holidays.country_holidays(cfg.holidays.country, subdiv=cfg.holidays.subdivision)
        if cfg.holidays
        else frozenset()
    )
    policy = Policy(
        zone=ZoneInfo(cfg.time_zone),
        hours=cfg.hours(),
        holidays=calendar,
        horizon_days=settings.search.horizon_days,
        booking_window_days=cfg.booking_window_days,
        time_window_hours=settings.search.time_window_hours,
        minimum_notice=timedelta(minutes=cfg.minimum_notice_minutes),
    )
    key = _secret(cfg.calcom_api_key, cfg.calcom_api_key_env, env)
    secret = _secret(cfg.webhook_secret, cfg.webhook_secret_env, env)
    services = {n: s if isinstance(s, int) else s.id for n, s in cfg.services.items()}
    voice = VoiceProfile(
        services=services,
        aliases={a: n for n, s in cfg.services.items() if not isinstance(s, int) for a in s.aliases},
        spoken_time=cfg.spoken_time,
        retell_api_key=_secret(cfg.retell_api_key, cfg.retell_api_key_env, env),
        vapi_secret=_secret(cfg.vapi_secret, cfg.vapi_secret_env, env),
        elevenlabs_token=_secret(cfg.elevenlabs_token, cfg.elevenlabs_token_env, env),
    )
    return Tenant(
        id=TenantId(name),
        calcom_base_url=(cfg.calcom_base_url or settings.calcom.base_url).rstrip("/"),
        calcom_api_key=key,
        language=cfg.language,
        policy=policy,
        event_types=cfg.event_type_ids(),
        webhook_secret=secret,
        country=cfg.phone_region(),
        variable_length=cfg.variable_length_ids(),
        voice=voice,
    )


def build_registry(settings: Settings, env: Mapping[str, str]) -> TenantRegistry:
    """All tenants of the settings, with their caller tokens indexed."""
    check_unique_tokens(settings, env)  # raises ConfigError; settings built in code skip load_settings
    tenants: dict[TenantId, Tenant] = {}
    tokens: dict[bytes, TenantId] = {}
    for name, cfg in settings.tenants.items():
        tenant = build_tenant(name, cfg, settings, env)
        tenants[tenant.id] = tenant
        for token in cfg.caller_tokens(env):
            tokens[_digest(token)] = tenant.id
    return TenantRegistry(tenants, tokens)
