"""Retell signatures checked against the official retell-sdk: its test vector, its signer, forgeries."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from retell.lib.webhook_auth import symmetric

from altslot.agents.retell import read_call, verify_signature

# retell-python-sdk tests/test_webhook_auth.py (CALLERS.md §1.2).
VECTOR_BODY = '{"event":"call_ended"}'
VECTOR_KEY = "test-api-key"
VECTOR_STAMP = 1700000000000
VECTOR_DIGEST = "07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e"


def test_the_sdk_test_vector_verifies() -> None:
    """The SDK's published vector verifies, and the SDK's signer produces exactly that header."""
    header = f"v={VECTOR_STAMP},d={VECTOR_DIGEST}"
    assert verify_signature(VECTOR_BODY.encode(), VECTOR_KEY, header, VECTOR_STAMP)
    assert symmetric["sign"](VECTOR_BODY, VECTOR_KEY, VECTOR_STAMP) == header


def test_stale_forged_and_malformed_signatures_fail() -> None:
    """More than five minutes off, another key, another body, or a loose header: refused."""
    header = f"v={VECTOR_STAMP},d={VECTOR_DIGEST}"
    body = VECTOR_BODY.encode()
    assert verify_signature(body, VECTOR_KEY, header, VECTOR_STAMP + 5 * 60 * 1000)
    assert not verify_signature(body, VECTOR_KEY, header, VECTOR_STAMP + 5 * 60 * 1000 + 1)
    assert not verify_signature(body, "other-key", header, VECTOR_STAMP)
    assert not verify_signature(b'{"event": "call_ended"}', VECTOR_KEY, header, VECTOR_STAMP)
    assert not verify_signature(body, VECTOR_KEY, f"x{header}", VECTOR_STAMP)
    assert not verify_signature(body, VECTOR_KEY, header.upper(), VECTOR_STAMP)


@given(st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=4), st.text(min_size=1, max_size=30))
def test_whatever_the_sdk_signs_verifies_and_the_sdk_agrees(payload: dict[str, str], key: str) -> None:
    """Any body the SDK signs (non-ASCII included) verifies here, and the SDK's own verify agrees."""
    raw = json.dumps(payload, ensure_ascii=False)
    header = symmetric["sign"](raw, key, VECTOR_STAMP)
    assert verify_signature(raw.encode(), key, header, VECTOR_STAMP)
    assert symmetric["verify"](raw, key, header, {"timestamp": VECTOR_STAMP})


def test_both_body_forms() -> None:
    """``{name, args, call}`` carries the call id and caller; an args-only body takes the query's tool."""
    wrapped = read_call(
        json.dumps(
            {"name": "book_appointment", "args": {"name": "Erika"}, "call": {"call_id": "c", "from_number": "+49"}}
        ).encode(),
        None,
    )
    assert (wrapped.name, dict(wrapped.arguments), wrapped.context.call_id, wrapped.context.caller_phone) == (
        "book_appointment",
        {"name": "Erika"},
        "c",
        "+49",
    )
    bare = read_call(b'{"name": "Erika", "datum": "30.09.2025"}', "book_appointment")
    assert (bare.name, dict(bare.arguments), bare.context.call_id) == (
        "book_appointment",
        {"name": "Erika", "datum": "30.09.2025"},
        None,
    )
