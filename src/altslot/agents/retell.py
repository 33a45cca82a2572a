"""Retell custom functions: the signature over the raw body, both body forms, the call's identity.

CALLERS.md §1: ``X-Retell-Signature: v=<unix ms>,d=<hex HMAC-SHA256(api key, raw body + ms)>``, refused
when the stamp is more than five minutes off. The body is ``{name, args, call}`` or, with "Payload:
args only", the arguments alone (the function name then comes from the ``tool`` query parameter).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from altslot.tools import CallContext
from altslot.tools.arguments import parse_arguments

TOLERANCE_MS = 5 * 60 * 1000
_SIGNATURE = re.compile(r"v=(\d+),d=([0-9a-f]{64})")


def verify_signature(body: bytes, api_key: str, header: str, now_ms: int) -> bool:
    """True when ``header`` signs exactly these bytes with ``api_key`` within ±5 minutes of ``now_ms``."""
    match = _SIGNATURE.fullmatch(header)
    if match is None:
        return False
    stamp = int(match[1])
    if abs(now_ms - stamp) > TOLERANCE_MS:
        return False
    expected = sign(body, api_key, stamp).partition(",d=")[2]
    return hmac.compare_digest(expected, match[2])


@dataclass(frozen=True)
class RetellCall:
    """One function request: which tool, its arguments, and the call around it."""

    name: str
    arguments: Mapping[str, object]
    context: CallContext


def read_call(body: bytes, tool: str | None) -> RetellCall:
    """Read either body form; an unreadable body is an empty argument set (the tool then asks)."""
    try:
        data = json.loads(body) if body.strip() else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    wrapped = "call" in data or ("name" in data and any(k in data for k in ("args", "arguments", "parameters")))
    if not wrapped:
        return RetellCall(tool or "", data, CallContext(platform="retell"))
    raw_args: object = next((data[k] for k in ("args", "arguments", "parameters") if k in data), {})
    call = data.get("call") if isinstance(data.get("call"), dict) else {}
    assert isinstance(call, dict)
    context = CallContext(
        platform="retell",
        call_id=_text(call.get("call_id")),
        caller_phone=_text(call.get("from_number")),
    )
    return RetellCall(str(data.get("name") or tool or ""), parse_arguments(raw_args), context)


def _text(value: object) -> str | None:
    return str(value) if isinstance(value, str | int) and str(value) else None


def sign(body: bytes, api_key: str, stamp_ms: int) -> str:
    """An ``X-Retell-Signature`` value as Retell makes it (for benchmarks and local trials)."""
    digest = hmac.new(api_key.encode(), body + str(stamp_ms).encode(), hashlib.sha256).hexdigest()
    return f"v={stamp_ms},d={digest}"
