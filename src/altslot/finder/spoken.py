"""Clock times in words, as a voice agent should say them (German and English, formal and informal).

Conventions (CALLERS.md §6):

* German formal: 24-hour clock, hours first: 14:30 "vierzehn Uhr dreißig", 1:05 "ein Uhr fünf".
* German informal: 12-hour clock, minutes first, relative to the full or half hour: "Viertel nach
  neun", "fünf vor halb acht", "halb drei". "Uhr" never goes with "halb", and the 24-hour hour never
  either ("halb fünfzehn" is not German). A day-part word ("nachmittags") follows every time outside
  08:00–11:59, the morning a bare "halb zehn" is heard as, so no two minutes of a day sound alike.
* English formal: digits with am/pm ("2:30 pm"), which every TTS reads right; informal: "half past
  two in the afternoon", "a quarter to six", "noon", "midnight".

Pure functions of the clock time: no dates, no zones, no I/O.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Literal

from altslot.types import Language

Register = Literal["formal", "informal"]

_DE_ONES = ("null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun")
_DE_TEENS = ("zehn", "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn", "achtzehn", "neunzehn")
_DE_UNDER_20 = _DE_ONES + _DE_TEENS
_DE_TENS = {2: "zwanzig", 3: "dreißig", 4: "vierzig", 5: "fünfzig"}
_EN_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_EN_TEENS = (
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_EN_UNDER_20 = _EN_ONES + _EN_TEENS
_EN_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty"}

# (first hour, German, English) — each part runs until the next part's first hour.
_DAY_PARTS = (
    (0, "nachts", "at night"),
    (5, "morgens", "in the morning"),
    (8, "", ""),  # 08:00–11:59: the reading a bare "halb zehn" gets anyway
    (12, "mittags", "in the afternoon"),
    (14, "nachmittags", "in the afternoon"),
    (18, "abends", "in the evening"),
    (22, "nachts", "at night"),
)


def german_number(n: int) -> str:
    """0–59 in German words: "eins", "einundzwanzig", "dreißig"."""
    if n < 20:
        return _DE_UNDER_20[n]
    tens, ones = divmod(n, 10)
    if ones == 0:
        return _DE_TENS[tens]
    unit = "ein" if ones == 1 else _DE_ONES[ones]
    return f"{unit}und{_DE_TENS[tens]}"


def english_number(n: int) -> str:
    """0–59 in English words: "one", "twenty-one", "thirty"."""
    if n < 20:
        return _EN_UNDER_20[n]
    tens, ones = divmod(n, 10)
    return _EN_TENS[tens] if ones == 0 else f"{_EN_TENS[tens]}-{_EN_ONES[ones]}"


def _day_part(hour: int, language: Language) -> str:
    word = ""
    for first, german, english in _DAY_PARTS:
        if hour >= first:
            word = german if language == "de" else english
    return word


def _with_part(text: str, hour: int, language: Language) -> str:
    part = _day_part(hour, language)
    return f"{text} {part}" if part else text


def _german_hour_before_uhr(hour: int) -> str:
    # "ein Uhr", "einundzwanzig Uhr": the bare "eins" loses its s before "Uhr".
    return "ein" if hour == 1 else german_number(hour)


def _twelve(hour: int) -> int:
    return hour % 12 or 12


# (quarter, one minute, "minutes") per language
_MINUTE_WORDS = {"de": ("Viertel", "eine Minute", "Minuten"), "en": ("a quarter", "one minute", "minutes")}


def _minutes(n: int, language: Language) -> str:
    """Minutes before nach/vor, past/to: "fünf", "Viertel", "drei Minuten" / "a quarter", "one minute"."""
    quarter, one, many = _MINUTE_WORDS[language]
    if n == 15:
        return quarter
    if n == 1:
        return one
    number = german_number(n) if language == "de" else english_number(n)
    return number if n % 5 == 0 else f"{number} {many}"


def _german_formal(hour: int, minute: int) -> str:
    head = f"{_german_hour_before_uhr(hour)} Uhr"
    return head if minute == 0 else f"{head} {german_number(minute)}"


def _german_informal(hour: int, minute: int) -> str:
    if hour == 0 and minute == 0:
        return "Mitternacht"
    this, following = german_number(_twelve(hour)), german_number(_twelve(hour + 1))
    if minute == 0:
        text = f"{_german_hour_before_uhr(_twelve(hour))} Uhr"
    elif minute <= 20:
        text = f"{_minutes(minute, 'de')} nach {this}"
    elif minute < 30:
        text = f"{_minutes(30 - minute, 'de')} vor halb {following}"
    elif minute == 30:
        text = f"halb {following}"
    elif minute < 40:
        text = f"{_minutes(minute - 30, 'de')} nach halb {following}"
    else:
        text = f"{_minutes(60 - minute, 'de')} vor {following}"
    return _with_part(text, hour, "de")


def _english_formal(hour: int, minute: int) -> str:
    if minute == 0 and hour in (0, 12):
        return "midnight" if hour == 0 else "noon"
    suffix = "am" if hour < 12 else "pm"
    figure = f"{_twelve(hour)}" if minute == 0 else f"{_twelve(hour)}:{minute:02d}"
    return f"{figure} {suffix}"


def _english_informal(hour: int, minute: int) -> str:
    if minute == 0 and hour in (0, 12):
        return "midnight" if hour == 0 else "noon"
    this, following = english_number(_twelve(hour)), english_number(_twelve(hour + 1))
    if minute == 0:
        text = f"{this} o'clock"
    elif minute < 30:
        text = f"{_minutes(minute, 'en')} past {this}"
    elif minute == 30:
        text = f"half past {this}"
    else:
        text = f"{_minutes(60 - minute, 'en')} to {following}"
    return _with_part(text, hour, "en")


def say_time(moment: time | datetime, language: Language, register: Register = "informal") -> str:
    """The clock time of ``moment`` in words: "halb drei nachmittags", "vierzehn Uhr dreißig", "2:30 pm"."""
    hour, minute = moment.hour, moment.minute
    if language == "de":
        return _german_formal(hour, minute) if register == "formal" else _german_informal(hour, minute)
    return _english_formal(hour, minute) if register == "formal" else _english_informal(hour, minute)


__all__ = ["Register", "english_number", "german_number", "say_time"]
