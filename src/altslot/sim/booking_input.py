"""The attendee and metadata of ``POST /v2/bookings`` as Cal.com's 2024-08-13 input DTO validates them."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers

from altslot.sim.datafile import AttendeeData
from altslot.types import is_time_zone

NO_CONTACT = "At least one contact method (email or phone number) must be provided"
BAD_PHONE = "Invalid phone number format. Please use international format."
BAD_METADATA = (
    "Metadata must have at most 50 keys, each key up to 40 characters, and string values up to 500 characters."
)
# ``BookingLanguage`` of the 2024-08-13 inputs (``language.ts``), in Cal.com's order.
LANGUAGES = (
    "ar", "ca", "de", "es", "eu", "he", "id", "ja", "lv", "pl", "ro", "sr", "th", "vi", "az", "cs", "el", "es-419",
    "fi", "hr", "it", "km", "nl", "pt", "ru", "sv", "tr", "zh-CN", "bg", "da", "en", "et", "fr", "hu", "iw", "ko",
    "no", "pt-BR", "sk", "ta", "uk", "zh-TW", "bn",
)  # fmt: skip
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _international(phone: str) -> str | None:
    """The number in E.164 when libphonenumber accepts it without a default region, else None."""
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None
    return (
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(parsed)
        else None
    )


def attendee_of(value: Any, problems: dict[str, list[str]]) -> AttendeeData | None:
    """The attendee after ``create-booking.input.ts``'s checks; problems are added under ``attendee``."""
    if not isinstance(value, dict):
        problems["attendee"] = ["attendee must be an object", "attendee should not be empty"]
        return None
    name, zone, email, phone = value.get("name"), value.get("timeZone"), value.get("email"), value.get("phoneNumber")
    language = value.get("language", "en")
    messages = []
    if not isinstance(name, str) or not name:
        messages.append("name must be a string")
    if not isinstance(zone, str) or not is_time_zone(zone):
        messages.append("timeZone must be a valid IANA time-zone")
    if email and (not isinstance(email, str) or not _EMAIL.match(email)):
        messages.append("Invalid email format")
    if phone and (not isinstance(phone, str) or _international(phone) is None):
        messages.append(BAD_PHONE)
    has_email = isinstance(email, str) and bool(email.strip())
    has_phone = isinstance(phone, str) and bool(phone.strip())
    if not has_email and not has_phone:
        messages.append(NO_CONTACT)
    if language not in LANGUAGES:
        messages.append(f"language must be one of the following values: {', '.join(LANGUAGES)}")
    if messages or not isinstance(name, str) or not isinstance(zone, str):
        problems["attendee"] = messages
        return None
    # A phone-only attendee gets Cal.com's placeholder address (``contructEmailFromPhoneNumber``).
    address = str(email) if has_email else f"{str(phone).replace('+', '')}@sms.cal.com"
    return AttendeeData(
        name=name,
        email=address,
        time_zone=zone,
        language=str(language),
        phone_number=str(phone) if has_phone else None,
    )


def metadata_of(value: Any, problems: dict[str, list[str]]) -> dict[str, Any]:
    """The metadata after ``ValidateMetadata``: at most 50 keys of 40 characters, string values of 500."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems["metadata"] = ["metadata must be an object"]
        return {}
    too_long = any(len(k) > 40 for k in value) or any(isinstance(v, str) and len(v) > 500 for v in value.values())
    if len(value) > 50 or too_long:
        problems["metadata"] = [BAD_METADATA]
    return dict(value)


def location_of(value: Any) -> str | None:
    """The booking's location as Cal.com stores it (``integrations:cal-video``, an address, a link …)."""
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "integration":
            return f"integrations:{value.get('integration', 'cal-video')}"
        for key in ("address", "phone", "link", "location"):
            if isinstance(value.get(key), str):
                return str(value[key])
        return str(kind) if kind is not None else None
    return None
