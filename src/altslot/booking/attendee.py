"""The attendee as Cal.com wants it: an email and/or a phone number in international (E.164) form.

Cal.com refuses a booking without either (``@RequireEmailOrPhone``) and a phone number that
libphonenumber cannot read without a country (``030 1234567``), so altslot normalises numbers itself,
reading national numbers in the tenant's country, and refuses unusable ones before any upstream call.
"""

from __future__ import annotations

from typing import Any

import phonenumbers

from altslot.api.schemas import AttendeeIn
from altslot.search.service import InvalidField


def e164(raw: str, region: str | None) -> str:
    """``raw`` as ``+49301234567``; a national number is read in ``region`` (an ISO country code)."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        hint = "" if region or raw.lstrip().startswith(("+", "00")) else " (give it with its country code, e.g. +49…)"
        raise InvalidField("attendee.phone", f"is not a usable phone number{hint}") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidField("attendee.phone", "is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def calcom_attendee(attendee: AttendeeIn, region: str | None) -> dict[str, Any]:
    """The ``attendee`` object of ``POST /v2/bookings``."""
    out: dict[str, Any] = {"name": attendee.name, "timeZone": attendee.time_zone, "language": attendee.language}
    if attendee.email:
        out["email"] = attendee.email
    if attendee.phone:
        out["phoneNumber"] = e164(attendee.phone, region)
    return out
