"""Services by name: "Haarschnitt", "haarschnit", "Färben" or "farben" → an event type id.

Names and aliases match case- and accent-insensitively; small misspellings are tolerated with
rapidfuzz. Two services that fit about equally well, or none, make a question naming the choices.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from altslot.types import Tenant

SCORE_CUTOFF = 80.0
# Two names closer than this are both plausible: ask rather than guess.
AMBIGUITY_MARGIN = 5.0
_SPACES = re.compile(r"[\s\-_/]+")


@dataclass(frozen=True)
class Service:
    """The event type a service name stands for."""

    event_type_id: int
    name: str | None


@dataclass(frozen=True)
class ServiceQuestion:
    """The service is ``unknown`` or ``ambiguous``; ``choices`` are the names to offer."""

    kind: str
    choices: tuple[str, ...]


def normalise(text: str) -> str:
    """Casefolded, accents stripped, ß as ss, runs of spaces and dashes as one space."""
    folded = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    return _SPACES.sub(" ", bare).strip()


def _names(tenant: Tenant) -> dict[str, str]:
    """Every normalised name and alias → the service name it stands for."""
    table = {normalise(name): name for name in tenant.voice.services}
    for alias, name in tenant.voice.aliases.items():
        table.setdefault(normalise(alias), name)
    return table


def resolve_service(tenant: Tenant, wanted: str | None) -> Service | ServiceQuestion:
    """The tenant's event type for ``wanted`` (a name, an alias or an id), or the question to ask."""
    services = tenant.voice.services
    choices = tuple(services)
    if wanted is None or not wanted.strip():
        if len(services) == 1:
            name = choices[0]
            return Service(services[name], name)
        if not services and len(tenant.event_types) == 1:
            return Service(next(iter(tenant.event_types)), None)
        return ServiceQuestion("missing", choices)
    if wanted.strip().isdigit():
        number = int(wanted)
        if tenant.owns(number):
            named = [n for n, et in services.items() if et == number]
            return Service(number, named[0] if named else None)
        return ServiceQuestion("unknown", choices)
    table = _names(tenant)
    key = normalise(wanted)
    if key in table:
        return Service(services[table[key]], table[key])
    best: dict[str, float] = {}
    for candidate, score, _ in process.extract(key, list(table), scorer=fuzz.WRatio, score_cutoff=SCORE_CUTOFF):
        name = table[candidate]
        best[name] = max(best.get(name, 0.0), float(score))
    if not best:
        return ServiceQuestion("unknown", choices)
    ranked = sorted(best.items(), key=lambda item: -item[1])
    close = tuple(name for name, score in ranked if ranked[0][1] - score < AMBIGUITY_MARGIN)
    if len(close) > 1:
        return ServiceQuestion("ambiguous", close)
    return Service(services[ranked[0][0]], ranked[0][0])
