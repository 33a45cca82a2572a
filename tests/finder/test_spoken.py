"""Spoken clock times: the CALLERS.md §6 tables, every minute of a day read back, and properties."""

from __future__ import annotations

import re
from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from altslot.finder.spoken import english_number, german_number, say_time

MINUTES = [time(h, m) for h in range(24) for m in range(60)]
VARIANTS = [("de", "formal"), ("de", "informal"), ("en", "formal"), ("en", "informal")]

# From the DW / t-online tables quoted in CALLERS.md §6.1 and the seed's own examples.
GERMAN_INFORMAL = [
    ("07:05", "fünf nach sieben morgens"),
    ("07:15", "Viertel nach sieben morgens"),
    ("07:25", "fünf vor halb acht morgens"),
    ("07:30", "halb acht morgens"),
    ("07:35", "fünf nach halb acht morgens"),
    ("07:40", "zwanzig vor acht morgens"),
    ("07:45", "Viertel vor acht morgens"),
    ("07:55", "fünf vor acht morgens"),
    ("09:15", "Viertel nach neun"),
    ("09:55", "fünf vor zehn"),
    ("10:45", "Viertel vor elf"),
    ("14:30", "halb drei nachmittags"),
    ("16:30", "halb fünf nachmittags"),
    ("18:30", "halb sieben abends"),
    ("13:00", "ein Uhr mittags"),
    ("12:00", "zwölf Uhr mittags"),
    ("00:00", "Mitternacht"),
    ("12:30", "halb eins mittags"),
    ("01:30", "halb zwei nachts"),
    ("07:20", "zwanzig nach sieben morgens"),
    ("11:01", "eine Minute nach elf"),
    ("11:03", "drei Minuten nach elf"),
]
GERMAN_FORMAL = [
    ("07:30", "sieben Uhr dreißig"),
    ("20:55", "zwanzig Uhr fünfundfünfzig"),
    ("00:25", "null Uhr fünfundzwanzig"),
    ("01:00", "ein Uhr"),
    ("14:30", "vierzehn Uhr dreißig"),
    ("15:00", "fünfzehn Uhr"),
    ("21:01", "einundzwanzig Uhr eins"),
]
ENGLISH_INFORMAL = [
    ("10:15", "a quarter past ten"),
    ("14:30", "half past two in the afternoon"),
    ("19:20", "twenty past seven in the evening"),
    ("17:45", "a quarter to six in the afternoon"),
    ("14:55", "five to three in the afternoon"),
    ("07:00", "seven o'clock in the morning"),
    ("12:00", "noon"),
    ("00:00", "midnight"),
    ("09:00", "nine o'clock"),
]
ENGLISH_FORMAL = [
    ("14:30", "2:30 pm"),
    ("09:00", "9 am"),
    ("12:00", "noon"),
    ("00:00", "midnight"),
    ("00:05", "12:05 am"),
]


@pytest.mark.parametrize(
    ("clock", "language", "register", "spoken"),
    [(c, "de", "informal", s) for c, s in GERMAN_INFORMAL]
    + [(c, "de", "formal", s) for c, s in GERMAN_FORMAL]
    + [(c, "en", "informal", s) for c, s in ENGLISH_INFORMAL]
    + [(c, "en", "formal", s) for c, s in ENGLISH_FORMAL],
)
def test_conventions_table(clock: str, language: str, register: str, spoken: str) -> None:
    """The examples of CALLERS.md §6 come out word for word."""
    assert say_time(time.fromisoformat(clock), language, register) == spoken  # type: ignore[arg-type]


# A reader of the phrases, written from the conventions independently of the code under test.
_DE_WORDS = {german_number(n): n for n in range(60)} | {"ein": 1, "eine": 1}
_EN_WORDS = {english_number(n): n for n in range(60)} | {"a quarter": 15}
_DE_PARTS = {
    "nachts": (0, 5, 22, 24),
    "morgens": (5, 8),
    "mittags": (12, 14),
    "nachmittags": (14, 18),
    "abends": (18, 22),
}
_EN_PARTS = {
    "at night": (0, 5, 22, 24),
    "in the morning": (5, 8),
    "in the afternoon": (12, 18),
    "in the evening": (18, 22),
}


def _hour24(hour12: int, part: str | None, parts: dict[str, tuple[int, ...]]) -> set[int]:
    """The 24-hour readings of a 12-hour figure under a day-part word (none: 08:00–11:59)."""
    candidates = {hour12 % 12, hour12 % 12 + 12}
    spans = parts[part] if part else (8, 12)
    ranges = [range(spans[i], spans[i + 1]) for i in range(0, len(spans), 2)]
    return {h for h in candidates if any(h in r for r in ranges)}


def _read_german_informal(text: str) -> time:
    if text == "Mitternacht":
        return time(0, 0)
    part = next((p for p in _DE_PARTS if text.endswith(" " + p)), None)
    body = text.removesuffix(" " + part) if part else text
    if match := re.fullmatch(r"(\w+) Uhr", body):
        hour, minute = _DE_WORDS[match[1]], 0
    elif match := re.fullmatch(r"halb (\w+)", body):
        hour, minute = _DE_WORDS[match[1]] - 1, 30
    elif match := re.fullmatch(r"(.+?)(?: Minuten?)? (nach|vor)( halb)? (\w+)", body):
        count = 15 if match[1] == "Viertel" else _DE_WORDS[match[1]]
        target = _DE_WORDS[match[4]]
        base = (target - 1) * 60 + 30 if match[3] else target * 60
        total = base + count if match[2] == "nach" else base - count
        hour, minute = divmod(total, 60)
    else:
        raise AssertionError(f"unreadable: {text!r}")
    hours = _hour24((hour % 12) or 12, part, _DE_PARTS)
    assert len(hours) == 1, f"{text!r} is ambiguous: {hours}"
    return time(hours.pop(), minute)


def _read_german_formal(text: str) -> time:
    match = re.fullmatch(r"(\w+) Uhr(?: (\w+))?", text)
    assert match, text
    return time(_DE_WORDS[match[1]], _DE_WORDS[match[2]] if match[2] else 0)


def _read_english_informal(text: str) -> time:
    if text in ("noon", "midnight"):
        return time(12 if text == "noon" else 0, 0)
    part = next((p for p in _EN_PARTS if text.endswith(" " + p)), None)
    body = text.removesuffix(" " + part) if part else text
    if match := re.fullmatch(r"(\S+) o'clock", body):
        hour, minute = _EN_WORDS[match[1]], 0
    elif match := re.fullmatch(r"half past (\S+)", body):
        hour, minute = _EN_WORDS[match[1]], 30
    elif match := re.fullmatch(r"(.+?)(?: minutes?)? (past|to) (\S+)", body):
        count, target = _EN_WORDS[match[1]], _EN_WORDS[match[3]] * 60
        hour, minute = divmod(target + count if match[2] == "past" else target - count, 60)
    else:
        raise AssertionError(f"unreadable: {text!r}")
    hours = _hour24((hour % 12) or 12, part, _EN_PARTS)
    assert len(hours) == 1, f"{text!r} is ambiguous: {hours}"
    return time(hours.pop(), minute)


def _read_english_formal(text: str) -> time:
    if text in ("noon", "midnight"):
        return time(12 if text == "noon" else 0, 0)
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))? (am|pm)", text)
    assert match, text
    hour = int(match[1]) % 12 + (12 if match[3] == "pm" else 0)
    return time(hour, int(match[2] or 0))


READERS = {
    ("de", "informal"): _read_german_informal,
    ("de", "formal"): _read_german_formal,
    ("en", "informal"): _read_english_informal,
    ("en", "formal"): _read_english_formal,
}


@pytest.mark.parametrize(("language", "register"), VARIANTS)
def test_every_minute_of_the_day_reads_back_as_that_minute(language: str, register: str) -> None:
    """All 1,440 minutes, both languages and registers: each phrase means exactly its minute."""
    read = READERS[(language, register)]
    for moment in MINUTES:
        spoken = say_time(moment, language, register)  # type: ignore[arg-type]
        assert read(spoken) == moment, f"{moment} → {spoken!r}"


@pytest.mark.parametrize(("language", "register"), VARIANTS)
def test_no_two_minutes_of_a_day_sound_alike(language: str, register: str) -> None:
    """The day-part words make every minute's phrase unique within a day."""
    phrases = {say_time(m, language, register) for m in MINUTES}  # type: ignore[arg-type]
    assert len(phrases) == len(MINUTES)


def test_german_informal_never_mixes_the_24_hour_clock_with_halb_or_uhr_with_halb() -> None:
    """Never "halb fünfzehn", never "halb drei Uhr"; informal hours are the 12-hour words."""
    twelve = {german_number(n) for n in range(1, 13)} | {"ein"}
    for moment in MINUTES:
        spoken = say_time(moment, "de", "informal")
        assert not re.search(r"halb (dreizehn|vierzehn|fünfzehn|sechzehn|siebzehn|achtzehn|neunzehn|zwanzig)", spoken)
        assert not ("halb" in spoken and "Uhr" in spoken)
        for word in re.findall(r"(?:nach|vor|halb) (\w+)", spoken):
            assert word in twelve | {"halb"}, spoken


@given(st.times(), st.sampled_from(VARIANTS))
def test_any_time_is_one_line_of_words_and_ignores_seconds(moment: time, variant: tuple[str, str]) -> None:
    """Seconds do not change the phrase; the phrase is one line without double spaces."""
    language, register = variant
    spoken = say_time(moment, language, register)  # type: ignore[arg-type]
    assert spoken == say_time(moment.replace(second=0, microsecond=0), language, register)  # type: ignore[arg-type]
    assert "\n" not in spoken
    assert "  " not in spoken
    assert spoken == spoken.strip()


@given(st.integers(min_value=0, max_value=59))
def test_number_words_are_distinct(n: int) -> None:
    """Number words 0–59 are unique in both languages (a reader can tell them apart)."""
    assert [german_number(k) for k in range(60)].count(german_number(n)) == 1
    assert [english_number(k) for k in range(60)].count(english_number(n)) == 1
