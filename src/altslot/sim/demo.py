"""Bundled demo data: a German hair salon and a practice, with three weeks of plausible bookings."""

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
        return (time(9), time(13)) if weekday == 5 else None
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


def _bookings(today: date) -> list[BookingData]:
    rng = random.Random(today.toordinal())
    days = [today + timedelta(days=offset) for offset in range(21)]
    workdays = [d for d in days if _hours("salon", d) is not None and d.weekday() < 5]
    full_days = set(rng.sample(workdays, k=min(3, len(workdays))))
    bookings: list[BookingData] = []
    for day in days:
        bookings += _day_bookings(rng, "salon", day, day in full_days)
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
                    {"days": [6], "start_time": "09:00", "end_time": "13:00"},
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
