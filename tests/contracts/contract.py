"""The JSON Schemas of Cal.com's shapes (``schemas/``) and a validator that names the failing path."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMAS = Path(__file__).parent / "schemas"
EXAMPLES = Path(__file__).parent / "examples"
BASE = "https://altslot.invalid/calcom/"


@cache
def _registry() -> Registry[Any]:
    resources = [
        (f"{BASE}{path.name}", Resource.from_contents(json.loads(path.read_text(encoding="utf-8"))))
        for path in SCHEMAS.glob("*.json")
    ]
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for ``schemas/<name>.json`` (references to ``common.json`` resolve)."""
    schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=_registry())


def problems(name: str, instance: Any) -> list[str]:
    """Every way ``instance`` breaks schema ``name``, as ``path: message`` lines (empty when valid)."""
    found = validator(name).iter_errors(instance)
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in found]


def assert_valid(name: str, instance: Any, what: str = "") -> None:
    """Fail with every problem when ``instance`` does not match schema ``name``."""
    found = problems(name, instance)
    assert not found, f"{what or name} breaks schemas/{name}.json:\n" + "\n".join(found)
