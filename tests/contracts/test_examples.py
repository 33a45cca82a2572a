"""The schemas agree with the shapes collected from Cal.com's source and docs (``examples/``), and refuse drift."""

from __future__ import annotations

import json

import pytest

from tests.contracts.contract import EXAMPLES, SCHEMAS, assert_valid, problems, validator

# Every example file, with the schema it must satisfy (None: a shape altslot does not use).
EXAMPLE_SCHEMAS: dict[str, str | None] = {
    "booking-cancel-request.json": "booking-cancel-request",
    "booking-cancel-seated-request.json": "booking-cancel-request",
    "booking-create-request.json": "booking-create-request",
    "booking-create-response.json": "booking-response",
    "booking-reschedule-request.json": "booking-reschedule-request",
    "error-400-slot-unavailable.json": "error-response",
    "error-400-validation-verbatim.json": "error-response",
    "error-404-trpc-verbatim.json": "error-response",
    "error-422-reservation-conflict.json": "error-response",
    "error-429-v2.json": "error-response",
    "error-429-v1.json": None,  # API v1
    "reserve-slot-request.json": "reserve-slot-request",
    "reserve-slot-response.json": "reserve-slot-response",
    "slots-available-2024-04-15-response.json": None,  # the legacy endpoint, which altslot does not call
    "slots-v1-response.json": None,  # API v1
    "slots-v2-response-empty.json": "slots-response",
    "slots-v2-response-range.json": "slots-response",
    "slots-v2-response-seated.json": "slots-response",
    "slots-v2-response-time.json": "slots-response",
    "slots-v2-response-utc-no-timezone.json": "slots-response",
    "webhook-booking-cancelled.json": "webhook",
    "webhook-booking-created.json": "webhook",
}


def test_every_schema_is_valid_and_every_example_is_mapped() -> None:
    """Each schema is valid 2020-12; each bundled JSON example names its schema (or why it has none)."""
    for path in SCHEMAS.glob("*.json"):
        validator(path.stem)
    assert sorted(p.name for p in EXAMPLES.glob("*.json")) == sorted(EXAMPLE_SCHEMAS)
    used = {name for name in EXAMPLE_SCHEMAS.values() if name}
    assert used <= {p.stem for p in SCHEMAS.glob("*.json")}


@pytest.mark.parametrize(("example", "schema"), [(e, s) for e, s in EXAMPLE_SCHEMAS.items() if s])
def test_examples_match_their_schema(example: str, schema: str) -> None:
    """Cal.com's own example bodies satisfy the schema altslot's client and simulator are held to."""
    assert_valid(schema, json.loads((EXAMPLES / example).read_text(encoding="utf-8")), example)


@pytest.mark.parametrize(
    ("schema", "instance"),
    [
        ("booking-create-request", {"start": "2050-09-05T10:00:00.000Z", "eventTypeId": 1,
                                    "attendee": {"name": "A", "timeZone": "UTC"}}),  # neither email nor phone
        ("booking-create-request", {"start": "2050-09-05T10:00:00.000Z", "eventTypeId": 1,
                                    "attendee": {"name": "A", "timeZone": "UTC", "phoneNumber": "030 1234567"}}),
        ("booking-create-request", {"start": "2050-09-05T10:00:00.000Z", "eventTypeId": 1, "reservationUid": "x",
                                    "attendee": {"name": "A", "timeZone": "UTC", "email": "a@b.de"}}),
        ("booking-cancel-request", {}),
        ("release-response", {"status": "success", "data": None}),
        ("booking-response", {"status": "success", "data": {"cancellationReason": None}}),
    ],
)  # fmt: skip
def test_schemas_refuse_the_drift_of_issue_13(schema: str, instance: object) -> None:
    """The shapes the old client and simulator agreed on (no contact, national phone, invented fields, nulls) fail."""
    assert problems(schema, instance)
