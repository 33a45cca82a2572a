"""The booking path's own checks of a start, made before any upstream call (the caller's errors are 422s)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from altslot.availability.assembler import Availability
from altslot.errors import InvalidField
from altslot.finder.calendar import within_hours
from altslot.search.service import MAX_FUTURE
from altslot.types import Tenant


def wall_instant(tenant: Tenant, start: datetime, zone: str | None) -> datetime:
    """The wall-clock start as an instant (the request's zone, else the tenant's)."""
    return start if start.tzinfo else start.replace(tzinfo=ZoneInfo(zone) if zone else tenant.policy.zone)


def check_start(tenant: Tenant, start: datetime, zone: str | None, minutes: int | None, now: datetime) -> datetime:
    """The start as an instant, or 422 when it is past, more than a year ahead or outside opening hours."""
    moment = wall_instant(tenant, start, zone)
    if moment <= now:
        raise InvalidField("start", "lies in the past")
    if moment > now + MAX_FUTURE:
        raise InvalidField("start", "lies more than a year ahead")
    if not within_hours(moment, timedelta(minutes=minutes or 1), tenant.policy):
        raise InvalidField("start", "is outside the business's opening hours")
    return moment


async def check_grid(availability: Availability, tenant: Tenant, event_type_id: int, start: datetime) -> None:
    """422 for a start off the event type's slot grid (e.g. 10:07 where slots start every half hour).

    Judged from the cached day when there is one; a taken slot is Cal.com's to report (409).
    """
    day = start.astimezone(tenant.policy.zone).date()
    key = tenant.day_key(event_type_id, day)
    entry = (await availability.cached([key])).get(key)
    if entry is None or not entry.starts:
        return
    minutes = {s.astimezone(tenant.policy.zone).minute for s in entry.starts}
    if start.astimezone(tenant.policy.zone).minute not in minutes or start.second or start.microsecond:
        raise InvalidField("start", "is not a slot start of this event type")
