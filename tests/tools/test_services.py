"""Services by name: case, accents, typos, aliases, ids; ambiguous and unknown names ask."""

from __future__ import annotations

from altslot.shell.config import Settings
from altslot.shell.tenant_settings import TenantSettings
from altslot.shell.tenants import build_tenant
from altslot.tools.services import Service, ServiceQuestion, resolve_service
from altslot.types import Tenant


def salon(services: dict[str, object], event_types: list[int] | None = None) -> Tenant:
    cfg = TenantSettings.model_validate(
        {"tokens": ["t"], "event_types": event_types or [1, 2, 3], "services": services}
    )
    return build_tenant("salon", cfg, Settings(), {})


SALON = {"Haarschnitt": {"id": 1, "aliases": ["Schneiden", "Haare schneiden"]}, "Färben": 2, "Föhnen": 3}


def test_exact_case_and_accent_insensitive() -> None:
    """ "haarschnitt", "FARBEN" and "Foehnen"-free "fohnen" find their services."""
    tenant = salon(SALON)
    assert resolve_service(tenant, "haarschnitt") == Service(1, "Haarschnitt")
    assert resolve_service(tenant, "FARBEN") == Service(2, "Färben")
    assert resolve_service(tenant, "fohnen") == Service(3, "Föhnen")


def test_small_misspellings_and_aliases() -> None:
    """A dropped letter still matches; an alias names its service."""
    tenant = salon(SALON)
    assert resolve_service(tenant, "Harschnitt") == Service(1, "Haarschnitt")
    assert resolve_service(tenant, "Farbe") == Service(2, "Färben")
    assert resolve_service(tenant, "haare  schneiden") == Service(1, "Haarschnitt")


def test_ids_must_be_owned() -> None:
    """An event type id works when the tenant owns it; another id is unknown."""
    tenant = salon(SALON)
    assert resolve_service(tenant, "2") == Service(2, "Färben")
    assert resolve_service(tenant, "999") == ServiceQuestion("unknown", ("Haarschnitt", "Färben", "Föhnen"))


def test_unknown_and_ambiguous_ask_with_choices() -> None:
    """Nothing close: unknown with every name; two close names: ambiguous with both."""
    assert resolve_service(salon(SALON), "Dauerwelle") == ServiceQuestion(
        "unknown", ("Haarschnitt", "Färben", "Föhnen")
    )
    twins = salon({"Haarschnitt Damen": 1, "Haarschnitt Herren": 2})
    assert resolve_service(twins, "Haarschnitt") == ServiceQuestion(
        "ambiguous", ("Haarschnitt Damen", "Haarschnitt Herren")
    )


def test_missing_service_defaults_only_when_there_is_one() -> None:
    """Without a service: the only one is taken; several make a question."""
    assert resolve_service(salon({"Haarschnitt": 1}, [1]), None) == Service(1, "Haarschnitt")
    assert resolve_service(salon({}, [7]), None) == Service(7, None)
    assert resolve_service(salon(SALON), "") == ServiceQuestion("missing", ("Haarschnitt", "Färben", "Föhnen"))
