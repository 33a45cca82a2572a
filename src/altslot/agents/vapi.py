"""Vapi tool calls: the credential (Bearer, ``X-Vapi-Secret`` or HMAC), every payload variant, the results.

CALLERS.md §2 / §7.2. Calls may arrive in ``message.toolCallList`` (``{id, function: {name,
arguments}}``), ``message.toolWithToolCallList`` (``{…, toolCall: {…}}``) or ``message.toolCalls``;
items may also be flat (``{id, name, arguments}``) and arguments a JSON string. Vapi usually sends the
same call in two lists, so calls are taken once per id, in order. The answer is always HTTP 200.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from altslot.agents.auth import bearer, same_secret
from altslot.tools import CallContext, ToolAnswer
from altslot.tools.arguments import parse_arguments

TOLERANCE_SECONDS = 5 * 60
_LISTS = ("toolCallList", "toolCalls", "toolWithToolCallList")


def authenticated(headers: Mapping[str, str], secret: str, body: bytes | None, now_seconds: float) -> bool:
    """Bearer or ``X-Vapi-Secret`` (no body needed), else HMAC over ``{timestamp}.{body}`` when ``body`` is given."""
    if same_secret(bearer(headers.get("authorization")), secret):
        return True
    if same_secret(headers.get("x-vapi-secret"), secret):
        return True
    signature, stamp = headers.get("x-signature"), headers.get("x-timestamp")
    if body is None or not signature or not stamp or not stamp.isdigit():
        return False
    # Vapi does not document the stamp's unit; a millisecond stamp has 13 digits.
    seconds = int(stamp) / 1000 if len(stamp) >= 12 else int(stamp)
    if abs(now_seconds - seconds) > TOLERANCE_SECONDS:
        return False
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).digest()
    given = signature.split("=", 1)[1] if signature.startswith("sha256=") else signature
    return any(hmac.compare_digest(given, expected) for expected in (mac.hex(), base64.b64encode(mac).decode()))


def has_hmac(headers: Mapping[str, str]) -> bool:
    """True when the request carries HMAC headers (so the body must be read to check them)."""
    return bool(headers.get("x-signature") and headers.get("x-timestamp"))


@dataclass(frozen=True)
class VapiToolCall:
    """One tool call of a ``tool-calls`` message."""

    id: str
    name: str
    arguments: Mapping[str, object]
    context: CallContext


def _item_call(item: Mapping[str, Any]) -> Mapping[str, Any]:
    inner = item.get("toolCall")
    return inner if isinstance(inner, dict) else item


def read_calls(body: bytes) -> list[VapiToolCall]:
    """Every tool call of the message, once per id, in order; anything unreadable yields none."""
    try:
        data = json.loads(body) if body.strip() else {}
    except ValueError:
        return []
    message = data.get("message", data) if isinstance(data, dict) else {}
    if not isinstance(message, dict):
        return []
    call = message.get("call") if isinstance(message.get("call"), dict) else {}
    assert isinstance(call, dict)
    customer = call.get("customer") or message.get("customer") or {}
    phone = customer.get("number") if isinstance(customer, dict) else None
    call_id = call.get("id") if isinstance(call.get("id"), str) else None
    seen: dict[str, VapiToolCall] = {}
    for list_name in _LISTS:
        items = message.get(list_name)
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            tool_call = _item_call(item)
            call_ref = tool_call.get("id")
            if not isinstance(call_ref, str) or call_ref in seen:
                continue
            function = tool_call.get("function") if isinstance(tool_call.get("function"), dict) else tool_call
            assert isinstance(function, dict)
            name = function.get("name") or item.get("name") or ""
            raw = function.get("arguments", function.get("parameters", {}))
            context = CallContext("vapi", call_id=call_id, caller_phone=phone, invocation_id=call_ref)
            seen[call_ref] = VapiToolCall(call_ref, str(name), parse_arguments(raw), context)
    return list(seen.values())


def result(call: VapiToolCall, answer: ToolAnswer) -> dict[str, object]:
    """One entry of ``results``: the answer as a one-line string, and the sentence Vapi speaks verbatim."""
    spoken = " ".join(answer.spoken.split())
    return {
        "toolCallId": call.id,
        "name": call.name,
        "result": answer.compact(),
        "message": {"type": "request-complete", "role": "assistant", "content": spoken},
    }
