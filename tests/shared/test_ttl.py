"""Seconds to Redis milliseconds and back: one rounding rule for every TTL altslot writes."""

from __future__ import annotations

from altslot.shared.ttl import from_ms, to_ms


def test_a_ttl_is_never_shorter_than_asked() -> None:
    """Every whole-millisecond request comes out at least as long (1.001 s is 1000.99… ms in floats)."""
    for ms in range(1, 100_000):
        assert 0 <= to_ms(ms / 1000) - ms <= 1, ms
    assert to_ms(1.001) == 1001


def test_fractions_of_a_millisecond_round_up() -> None:
    """Part of a millisecond becomes a whole one: the key lives at least as long as asked."""
    assert to_ms(2.0004) == 2001
    assert to_ms(0.0001) == 1


def test_zero_and_negative_become_one_millisecond() -> None:
    """Redis refuses ``PX 0``; the shortest TTL is one millisecond."""
    assert to_ms(0) == 1
    assert to_ms(-5.0) == 1


def test_pttl_replies_read_back_as_seconds() -> None:
    """``PTTL``'s milliseconds in seconds; its -1/-2 (no TTL, no key) stay negative and never count as time."""
    assert from_ms(30_000) == 30.0
    assert from_ms("1500") == 1.5
    assert from_ms(-2) < 0
