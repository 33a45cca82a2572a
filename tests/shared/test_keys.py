"""Redis key names: one module names every key, each carries its owner's hash tag, the strings never change."""

from __future__ import annotations

import hashlib
import inspect
from datetime import date

from limits import parse

from altslot.shared import keys
from altslot.types import DayKey, EventTypeId, TenantId

DAY = DayKey(TenantId("salon"), EventTypeId(7), 30, date(2025, 9, 29))
WINDOW = parse("120/minute")


def window_key(namespace: str, *identifiers: str) -> str:
    """The key ``limits`` writes for a moving window: the storage's prefix, then the item's key."""
    item = type(WINDOW)(WINDOW.amount, WINDOW.multiples, namespace=namespace)
    return f"{keys.PREFIX}:{item.key_for(*identifiers)}"


# Each family as altslot wrote it before the names moved here: live deployments still hold these keys.
FAMILIES: dict[str, list[str]] = {
    "day_key": [keys.day_key(DAY)],
    "lease_key": [keys.lease_key(DAY)],
    "tenant_key": [keys.tenant_key("salon", "anything")],
    "idempotency_record_key": [keys.idempotency_record_key("salon", "client-key-1")],
    "webhook_key": [keys.webhook_key("salon", b'{"triggerEvent":"BOOKING_CREATED"}')],
    "hold_slot_key": [keys.hold_slot_key("salon", 3)],
    "hold_group_key": [keys.hold_group_key("salon", "g1")],
    "hold_key": [keys.hold_key("salon", "h1")],
    "durations_key": [keys.durations_key("salon", 7)],
    "breaker_keys": keys.breaker_keys("k1"),
    "ratelimit_block_key": [keys.ratelimit_block_key("k1")],
    "ratelimit_namespace": [window_key(keys.ratelimit_namespace("k1"))],
    "FAILED_AUTH_NAMESPACE": [window_key(keys.FAILED_AUTH_NAMESPACE, "10.0.0.1")],
    "WARMER_LEASE": [keys.WARMER_LEASE],
}


def test_every_key_family_is_covered_here() -> None:
    """A key family added to ``keys`` without a case here fails, so the checks below see every one."""
    functions = {name for name, value in inspect.getmembers(keys, inspect.isfunction) if not name.startswith("_")}
    constants = {"WARMER_LEASE", "FAILED_AUTH_NAMESPACE"}
    assert functions | constants == set(FAMILIES)


def test_every_key_carries_its_owner_as_hash_tag() -> None:
    """Tenant and API-key families carry ``{owner}``; the warmer its fixed ``{warmer}``; failed-auth none."""
    untagged = {"FAILED_AUTH_NAMESPACE"}  # one key per address, never used with another (keys docstring)
    for family, names in FAMILIES.items():
        for name in names:
            assert name.startswith(f"{keys.PREFIX}:"), name
            if family == "WARMER_LEASE":
                assert name.startswith("altslot:{warmer}:"), name
            elif family in {"breaker_keys", "ratelimit_block_key", "ratelimit_namespace"}:
                assert name.startswith("altslot:{k1}:"), name
            elif family in untagged:
                assert "{" not in name, name
            else:
                assert name.startswith("altslot:{salon}:"), name


def test_key_strings_are_unchanged() -> None:
    """Byte for byte the names earlier releases wrote, so a rolling deploy shares state with old instances."""
    idem = hashlib.sha256(b"client-key-1").hexdigest()
    body = hashlib.sha256(b'{"triggerEvent":"BOOKING_CREATED"}').hexdigest()
    assert {
        "day_key": ["altslot:{salon}:day:7:30:2025-09-29"],
        "lease_key": ["altslot:{salon}:lease:7:30:2025-09-29"],
        "tenant_key": ["altslot:{salon}:anything"],
        "idempotency_record_key": [f"altslot:{{salon}}:idem:{idem}"],
        "webhook_key": [f"altslot:{{salon}}:webhook:{body}"],
        "hold_slot_key": ["altslot:{salon}:holdslot:3"],
        "hold_group_key": ["altslot:{salon}:holdgroup:g1"],
        "hold_key": ["altslot:{salon}:hold:h1"],
        "durations_key": ["altslot:{salon}:durations:7"],
        "breaker_keys": [
            "altslot:{k1}:breaker:failures",
            "altslot:{k1}:breaker:successes",
            "altslot:{k1}:breaker:open",
            "altslot:{k1}:breaker:tripped",
            "altslot:{k1}:breaker:probe",
        ],
        "ratelimit_block_key": ["altslot:{k1}:ratelimit:block"],
        "ratelimit_namespace": ["altslot:{k1}:ratelimit/120/1/minute"],
        "FAILED_AUTH_NAMESPACE": ["altslot:failed-auth/10.0.0.1/120/1/minute"],
        "WARMER_LEASE": ["altslot:{warmer}:lease"],
    } == FAMILIES


def test_the_module_docstring_lists_every_family() -> None:
    """The table in ``keys``' docstring names each family's shape, so it stays the one place to look."""
    doc = keys.__doc__ or ""
    shapes = [
        ":day:", ":lease:", ":idem:", ":webhook:", ":holdslot:", ":holdgroup:", ":hold:", ":durations:",
        ":breaker:", ":ratelimit:block", ":ratelimit/", "altslot:failed-auth/", "altslot:{warmer}:lease",
    ]  # fmt: skip
    assert [s for s in shapes if s not in doc] == []
