"""Bundled demo data: a German hair salon and a practice, with three weeks of plausible bookings.

The bookings are drawn from a seed of the day the demo starts, with one fixed point: the README's example
(tomorrow 14:00 at the salon) is always taken, while the half hours on either side of it stay free, so the
documented answer (``busy`` with alternatives that day and the next ones) holds on every day.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from altslot.sim.datafile import AttendeeData, BookingData, SimData, parse_data

BERLIN = "Europe/Berlin"
SALON_SERVICES = ((1412903, 30, "Haarschnitt"), (1412904, 60, "Färben"), (1412905, 135, "Strähnen & Schnitt"))
_SALON_WEIGHTS = (0.5, 0.35, 0.15)
_NAMES = (
    "Anna Schmidt", "Lukas Müller", "Sophie Weber", "Jonas Fischer", "Marie Wagner", "Felix Becker",
    "Laura Hoffmann", "Paul Schulz", "Lena Koch", "Tim Richter", "Julia Klein", "Max Wolf",
    "Hannah Schröder", "Leon Neumann", "Mia Schwarz", "Elias Zimmermann",
)  # fmt: skip


def _hours(schedule: str, day: date) -> tuple[time, time] | None:
    weekday = day.weekday()  # Monday = 0
    if schedule == "salon":
        if weekday < 5:
            return time(9), time(18)
        return (time(9), time(16)) if weekday == 5 else None
    return (time(8), time(16)) if weekday < 4 else None


def _attendee(rng: random.Random) -> AttendeeData:
    name = rng.choice(_NAMES)
    return AttendeeData(
        name=name, email=f"{name.lower().replace(' ', '.')}@example.de", time_zone=BERLIN, language="de"
    )


def _day_bookings(rng: random.Random, schedule: str, day: date, full: bool) -> list[BookingData]:
    hours = _hours(schedule, day)
    if hours is None:
        return []
    zone = ZoneInfo(BERLIN)
    cursor = datetime.combine(day, hours[0], zone)
    close = datetime.combine(day, hours[1], zone)
    bookings: list[BookingData] = []
    while cursor < close:
        if schedule == "salon":
            event_type_id, length, _ = rng.choices(SALON_SERVICES, _SALON_WEIGHTS)[0]
            if full and cursor + timedelta(minutes=length) > close:
                event_type_id, length, _ = SALON_SERVICES[0]  # fill a full day's last gap
        else:
            event_type_id, length = 2001, 30
        end = cursor + timedelta(minutes=length)
        if end > close:
            break
        # Afternoons fill up faster than mornings, as they do in a salon.
        chance = 1.0 if full else (0.55 if cursor.hour >= 13 else 0.25)
        if rng.random() >= chance:
            cursor += timedelta(minutes=30)
            continue
        status = "CANCELLED" if not full and rng.random() < 0.05 else "ACCEPTED"
        bookings.append(
            BookingData(
                uid=f"{schedule}-{cursor:%Y%m%d-%H%M}",
                event_type_id=event_type_id,
                start=cursor,
                end=end,
                status=status,
                attendee=_attendee(rng),
            )
        )
        cursor = end
    return bookings


README_TIME = time(14)
"""The time of the README's example request (tomorrow at the salon); always booked in the demo data."""
_README_FREE = (time(13, 30), time(15))  # kept free around it, so the answer has same-day neighbours


def _readme_day(rng: random.Random, day: date, bookings: list[BookingData]) -> list[BookingData]:
    """``bookings`` of the salon's ``day`` with the README's 14:00 taken and the half hours beside it free."""
    if _hours("salon", day) is None:
        return bookings  # closed (a Sunday): the README's note says what the answer is then
    zone = ZoneInfo(BERLIN)
    free_from, free_to = (datetime.combine(day, t, zone) for t in _README_FREE)
    kept = [b for b in bookings if b.end <= free_from or b.start >= free_to]
    start = datetime.combine(day, README_TIME, zone)
    event_type_id, length, _ = SALON_SERVICES[0]
    taken = BookingData(
        uid=f"salon-{start:%Y%m%d-%H%M}",
        event_type_id=event_type_id,
        start=start,
        end=start + timedelta(minutes=length),
        status="ACCEPTED",
        attendee=_attendee(rng),
    )
    return sorted([*kept, taken], key=lambda b: b.start)


def _bookings(today: date) -> list[BookingData]:
    rng = random.Random(today.toordinal())
    tomorrow = today + timedelta(days=1)
    days = [today + timedelta(days=offset) for offset in range(21)]
    workdays = [d for d in days if _hours("salon", d) is not None and d.weekday() < 5 and d != tomorrow]
    full_days = set(rng.sample(workdays, k=min(3, len(workdays))))
    bookings: list[BookingData] = []
    for day in days:
        salon = _day_bookings(rng, "salon", day, day in full_days)
        bookings += _readme_day(rng, day, salon) if day == tomorrow else salon
        bookings += _day_bookings(rng, "praxis", day, False)
    return bookings


def demo_data(today: date) -> SimData:
    """Demo tenants "salon" and "praxis" with deterministic bookings over the 3 weeks from ``today``."""
    raw = {
        "api_keys": ["cal_test_demo", "cal_test_praxis"],
        "schedules": {
            "salon": {
                "time_zone": BERLIN,
                "availability": [
                    {"days": [1, 2, 3, 4, 5], "start_time": "09:00", "end_time": "18:00"},
                    {"days": [6], "start_time": "09:00", "end_time": "16:00"},
                ],
                "host": {
                    "id": 1,
                    "name": "Salon Haarmonie",
                    "email": "team@salon.example.de",
                    "username": "salon",
                },
            },
            "praxis": {
                "time_zone": BERLIN,
                "availability": [{"days": [1, 2, 3, 4], "start_time": "08:00", "end_time": "16:00"}],
                "host": {
                    "id": 2,
                    "name": "Praxis Dr. Berg",
                    "email": "praxis@example.de",
                    "username": "praxis",
                },
            },
        },
        "event_types": [
            *(
                {"id": id_, "length": length, "schedule": "salon", "title": title}
                for id_, length, title in SALON_SERVICES
            ),
            {"id": 2001, "length": 30, "schedule": "praxis", "title": "Sprechstunde"},
        ],
        "bookings": [b.model_dump() for b in _bookings(today)],
        "webhooks": [
            {
                "subscriber_url": "http://127.0.0.1:8000/webhooks/calcom/salon",
                "secret": "whsec_demo",
                "schedule": "salon",
            },
            {
                "subscriber_url": "http://127.0.0.1:8000/webhooks/calcom/praxis",
                "secret": "whsec_praxis",
                "schedule": "praxis",
            },
        ],
    }
    return parse_data(raw)
