"""The attendee as Cal.com wants it: an email and/or a phone number in international (E.164) form.

Cal.com refuses a booking without either (``@RequireEmailOrPhone``) and a phone number that
libphonenumber cannot read without a country (``030 1234567``), so altslot normalises numbers itself,
reading national numbers in the tenant's country, and refuses unusable ones before any upstream call.
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers

from altslot.booking.answers import Attendee
from altslot.errors import InvalidField

NAME_MAX, EMAIL_MAX, PHONE_MAX = 200, 320, 40
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def check_contact(attendee: Attendee) -> None:
    """422 naming the attendee's field that cannot be used: a name, and an email and/or a phone are required."""
    if not 1 <= len(attendee.name) <= NAME_MAX:
        raise InvalidField("attendee.name", f"give a name of 1 to {NAME_MAX} characters")
    if attendee.email is not None and (len(attendee.email) > EMAIL_MAX or not re.match(EMAIL_PATTERN, attendee.email)):
        raise InvalidField("attendee.email", "is not an email address")
    if attendee.phone is not None and not 1 <= len(attendee.phone) <= PHONE_MAX:
        raise InvalidField("attendee.phone", f"give a phone number of at most {PHONE_MAX} characters")
    # Cal.com's @RequireEmailOrPhone: a booking needs one way to reach the attendee.
    if not attendee.email and not (attendee.phone and attendee.phone.strip()):
        raise InvalidField("attendee", "give an email or a phone number")


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


def calcom_attendee(attendee: Attendee, region: str | None) -> dict[str, Any]:
    """The ``attendee`` object of ``POST /v2/bookings``; ``InvalidField`` for an unusable contact."""
    check_contact(attendee)
    out: dict[str, Any] = {"name": attendee.name, "timeZone": attendee.time_zone, "language": attendee.language}
    if attendee.email:
        out["email"] = attendee.email
    if attendee.phone:
        out["phoneNumber"] = e164(attendee.phone, region)
    return out
