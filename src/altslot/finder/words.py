"""Word tables and sentence templates for the spoken answers, German and English."""

from __future__ import annotations

from typing import Final

WEEKDAYS: Final = {
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
WEEKDAYS_PLURAL: Final = {
    "de": ("Montags", "Dienstags", "Mittwochs", "Donnerstags", "Freitags", "Samstags", "Sonntags"),
    "en": ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"),
}
MONTHS: Final = {
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

# Day phrases; ``{w}`` is a weekday name, ``{d}`` a spoken date, ``{t}`` a spoken time.
DAY_FORMS: Final = {
    "de": {
        "today": "heute um {t}",
        "tomorrow": "morgen um {t}",
        "after_tomorrow": "übermorgen um {t}",
        "this_week": "am {w} um {t}",
        "next_week": "nächste Woche {w} um {t}",
        "date": "am {d} um {t}",
        "same_day": "um {t}",
    },
    "en": {
        "today": "today at {t}",
        "tomorrow": "tomorrow at {t}",
        "after_tomorrow": "the day after tomorrow at {t}",
        "this_week": "on {w} at {t}",
        "next_week": "next week on {w} at {t}",
        "date": "on {d} at {t}",
        "same_day": "at {t}",
    },
}

OR: Final = {"de": "oder", "en": "or"}

WINDOW_NAMES: Final = {
    "de": {"morning": "vormittags", "afternoon": "nachmittags", "evening": "abends"},
    "en": {"morning": "in the morning", "afternoon": "in the afternoon", "evening": "in the evening"},
}
CUSTOM_WINDOW: Final = {"de": "zwischen {start} und {end}", "en": "between {start} and {end}"}

SENTENCES: Final = {
    "de": {
        "available": "{Label} ist noch frei. Soll ich den Termin für Sie buchen?",
        "busy_today": "Um {time} ist leider nichts frei.",
        "busy": "{Label} ist leider nichts frei.",
        "before_opening": ("Um {time} haben wir leider noch geschlossen, wir haben von {opens} bis {closes} geöffnet."),
        "after_closing": ("Um {time} haben wir leider schon geschlossen, wir haben von {opens} bis {closes} geöffnet."),
        "past_closing": (
            "Ein Termin um {time} würde leider über unsere Öffnungszeiten von {opens} bis {closes} hinausgehen."
        ),
        "non_workday": "{Weekdays} haben wir geschlossen.",
        "holiday": "Am {date} ist Feiertag, da haben wir geschlossen.",
        "in_past": "Dieser Zeitpunkt liegt leider schon in der Vergangenheit.",
        "beyond_horizon": ("So weit im Voraus kann ich leider noch keine Termine vergeben, nur bis zum {date}."),
        "min_notice": "So kurzfristig kann ich leider keinen Termin mehr vergeben.",
        "unknown": "Für diesen Tag kann ich den Kalender leider gerade nicht einsehen.",
        "outside_window": (
            "{Window} ist in den nächsten sieben Tagen nichts "
            "frei, daher liegen meine Vorschläge außerhalb dieser Zeit."
        ),
        "offer_one": "Ich kann Ihnen {offers} anbieten. Passt Ihnen das?",
        "offer_many": "Ich kann Ihnen {offers} anbieten. Was passt Ihnen besser?",
        "none_either": "Auch sonst ist in den nächsten {days} Tagen kein Termin frei.",
        "callback": "Sollen wir Sie zurückrufen, sobald etwas frei wird?",
        "callback_unknown": "Sollen wir Sie zurückrufen, sobald ich wieder Zugriff habe?",
    },
    "en": {
        "available": "Yes, I can book you in {label}. Shall I go ahead?",
        "busy_today": "Unfortunately, nothing is free at {time}.",
        "busy": "Unfortunately, nothing is free {label}.",
        "before_opening": ("Unfortunately, we are not open yet at {time}; our opening hours are {opens} to {closes}."),
        "after_closing": ("Unfortunately, we are already closed at {time}; our opening hours are {opens} to {closes}."),
        "past_closing": (
            "Unfortunately, an appointment at {time} would run past our opening hours of {opens} to {closes}."
        ),
        "non_workday": "We are closed on {weekdays}.",
        "holiday": "{Date} is a public holiday, so we are closed.",
        "in_past": "Unfortunately, that time has already passed.",
        "beyond_horizon": "Unfortunately, I can only book appointments up to {date}.",
        "min_notice": "Unfortunately, that is too short notice.",
        "unknown": "Unfortunately, I can't see the calendar for that day right now.",
        "outside_window": (
            "There is nothing free {window} in the next seven days, so my suggestions are outside that time."
        ),
        "offer_one": "I can offer you {offers}. Would that suit you?",
        "offer_many": "I can offer you {offers}. Which would suit you better?",
        "none_either": "There is nothing else free in the next {days} days either.",
        "callback": "Shall we call you back as soon as something opens up?",
        "callback_unknown": "Shall we call you back as soon as I can see it again?",
    },
}

UNAVAILABLE: Final = {
    "de": {
        "unreachable": (
            "Ich kann unseren Kalender im Moment leider nicht erreichen. Sollen "
            "wir Sie zurückrufen, sobald ich Ihnen einen Termin nennen kann?"
        ),
        "rate_limited": (
            "Unser Kalender ist gerade sehr beschäftigt. Bitte versuchen Sie "
            "es gleich noch einmal, oder sollen wir Sie zurückrufen?"
        ),
        "auth": (
            "Ich habe gerade leider keinen Zugriff auf unseren Kalender. Sollen "
            "wir Sie zurückrufen, sobald ich Ihnen einen Termin nennen kann?"
        ),
    },
    "en": {
        "unreachable": (
            "I'm sorry, I can't reach our calendar right now. Shall we call you back as soon as I can offer you a time?"
        ),
        "rate_limited": (
            "I'm sorry, our calendar is very busy right now. Please try again in a moment, or shall we call you back?"
        ),
        "auth": (
            "I'm sorry, I can't access our calendar right now. Shall we "
            "call you back as soon as I can offer you a time?"
        ),
    },
}
