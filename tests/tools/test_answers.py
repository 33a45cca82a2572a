"""Tool answers: compact one-line JSON under Retell's cap; idempotency keys from what makes a retry a retry."""

from __future__ import annotations

import json

from altslot.tools import CallContext, Offer, ToolAnswer
from altslot.tools.answers import MAX_CHARS
from altslot.tools.layer import idempotency_key


def test_compact_is_one_line_without_empty_fields() -> None:
    """No None fields, no spaces between tokens, no line breaks, non-ASCII kept as is."""
    answer = ToolAnswer(status="available", spoken="Morgen um 14 Uhr ist noch frei.\u00a0Übermorgen auch.")
    text = answer.compact()
    assert "\n" not in text
    assert json.loads(text) == {
        "status": "available",
        "spoken": "Morgen um 14 Uhr ist noch frei.\u00a0Übermorgen auch.",
    }
    assert "Ü" in text


def test_an_oversized_answer_is_trimmed_below_the_cap() -> None:
    """An answer that would pass 15,000 characters keeps its first three offers."""
    offer = Offer(start="2025-09-30T14:30:00+02:00", spoken_time="halb drei nachmittags", label="x" * 400)
    answer = ToolAnswer(status="alternatives", spoken="…", alternatives=[offer] * 60)
    text = answer.compact()
    assert len(text) <= MAX_CHARS
    assert len(json.loads(text)["alternatives"]) == 3


def test_idempotency_keys() -> None:
    """Same call + tool + arguments → same key; another call, argument or invocation id → another key."""
    args = {"start": "2025-09-30T14:30:00+02:00", "name": "E"}
    retell = CallContext("retell", call_id="c1")
    assert idempotency_key("book_appointment", args, retell) == idempotency_key("book_appointment", dict(args), retell)
    assert idempotency_key("book_appointment", args, retell) != idempotency_key(
        "book_appointment", args, CallContext("retell", call_id="c2")
    )
    assert idempotency_key("book_appointment", args, retell) != idempotency_key(
        "book_appointment", {**args, "name": "F"}, retell
    )
    first = CallContext("vapi", call_id="c", invocation_id="t1")
    assert idempotency_key("book_appointment", args, first) == idempotency_key("book_appointment", {}, first)
    assert idempotency_key("book_appointment", args, first) != idempotency_key(
        "book_appointment", args, CallContext("vapi", call_id="c", invocation_id="t2")
    )
