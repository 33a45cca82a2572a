"""Attendee contact rules and Cal.com's refusals mapped to altslot's fields (pure, no I/O)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from altslot.api.schemas import AttendeeIn
from altslot.booking.attendee import calcom_attendee, e164
from altslot.booking.refusals import CANCEL_FIELDS, CREATE_FIELDS, refused_field
from altslot.calcom.errors import SlotUnavailable, bad_request
from altslot.errors import InvalidField


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("030 1234567", "DE", "+49301234567"),
        ("+49 30 1234567", None, "+49301234567"),
        ("0049 30 1234567", "DE", "+49301234567"),
        ("(0151) 234-56789", "DE", "+4915123456789"),
        ("01 23 45 67 89", "FR", "+33123456789"),
    ],
)
def test_phone_numbers_are_normalised_to_e164(raw: str, region: str | None, expected: str) -> None:
    """National numbers are read in the tenant's country; international ones need none."""
    assert e164(raw, region) == expected


@pytest.mark.parametrize(("raw", "region"), [("030 1234567", None), ("12", "DE"), ("not a number", "DE")])
def test_unusable_numbers_name_attendee_phone(raw: str, region: str | None) -> None:
    """A number phonenumbers cannot use is an InvalidField on attendee.phone."""
    with pytest.raises(InvalidField) as caught:
        e164(raw, region)
    assert caught.value.field == "attendee.phone"


def test_attendee_needs_an_email_or_a_phone() -> None:
    """Neither email nor phone is a validation error; phone alone is sent as phoneNumber without email."""
    with pytest.raises(ValidationError):
        AttendeeIn(name="Erika", time_zone="Europe/Berlin")
    attendee = AttendeeIn(name="Erika", time_zone="Europe/Berlin", phone="030 1234567")
    assert calcom_attendee(attendee, "DE") == {
        "name": "Erika",
        "timeZone": "Europe/Berlin",
        "language": "de",
        "phoneNumber": "+49301234567",
    }


@pytest.mark.parametrize(
    ("message", "names", "field"),
    [
        ("attendee property is wrong,Invalid phone number format. Please use international format. ", CREATE_FIELDS,
         "attendee.phone"),
        ("attendee property is wrong,At least one contact method (email or phone number) must be provided ",
         CREATE_FIELDS, "attendee.email"),
        ("metadata property is wrong,Metadata must have at most 50 keys ", CREATE_FIELDS, "metadata"),
        ("Attempting to book a meeting in the past.", CREATE_FIELDS, "start"),
        ("Cancellation reason is required when you are the host", CANCEL_FIELDS, "reason"),
        ("Can't cancel booking with uid=x because it has been cancelled already.", CANCEL_FIELDS, "uid"),
    ],
)  # fmt: skip
def test_refusals_name_altslot_fields(message: str, names: dict[str, str], field: str) -> None:
    """Cal.com's 400 texts become altslot's field names (the 422's loc)."""
    default = "uid" if names is CANCEL_FIELDS else "start"
    assert refused_field(message, names, default) == field


def test_slot_gone_texts() -> None:
    """Taken slots and a hold placed first by someone else are "slot gone" (409), validation texts are not."""

    def gone(message: str) -> bool:
        return isinstance(bad_request(message, 400), SlotUnavailable)

    assert gone("User either already has booking at this time or is not available")
    assert gone(
        "Someone else reserved this booking time slot before you. This time slot will be freed up in 9 seconds."
    )
    assert not gone("attendee property is wrong,Invalid email format ")
