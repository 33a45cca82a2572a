"""The OpenAPI document is the contract: schemathesis finds no status or body it does not list (D19)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from altslot.shell.http_settings import ServerSettings
from altslot.upstream.guard import ResilienceSettings
from tests.support.world import TOKEN, World, running, salon_data

SECRET = "whsec_test"
EXAMPLES = 15  # per operation: both runs take seconds
# A failed-auth limit the no-token run cannot reach, so it checks the 401s (429s: tests/e2e/test_auth.py).
DOCS = ServerSettings(expose_docs=True, failed_auth_limit="1000000/minute")
UNLIMITED = ResilienceSettings(rate_limit_per_minute=1_000_000)


def bounded(examples: int) -> settings:
    """Hypothesis settings for ``examples`` cases per operation, the same ones every run, no database."""
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
    )


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """One altslot with its documents exposed, in front of the simulated salon."""
    # The simulated Cal.com must not run out of budget: its 503s are documented, but no test of the contract.
    with running(
        salon_data(), webhook_secret=SECRET, sim_rate_limit=1_000_000, resilience=UNLIMITED, server=DOCS
    ) as started:
        yield started


def check_operation(operation: Any, headers: dict[str, str], examples: int, mode: GenerationMode) -> int:
    """Send ``operation``'s bounded examples and validate each answer; how many were sent (raises on a failure)."""
    sent = 0

    @bounded(examples)
    @given(case=operation.as_strategy(mode))
    def check(case: Any) -> None:
        nonlocal sent
        sent += 1
        # Schema-valid but refused by the rules JSON Schema cannot state (a zone zoneinfo lacks, a past
        # date, a closed day) is a documented 422, so "valid data must be accepted" does not apply.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    try:
        check()
    except Unsatisfiable:
        assert mode is GenerationMode.NEGATIVE  # an operation without inputs has no invalid requests
    return sent


def fuzz(url: str, headers: dict[str, str], examples: int = EXAMPLES) -> dict[str, int]:
    """Valid and invalid examples of every operation at ``url``: requests sent to each (raises on a failure)."""
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    return {
        f"{op.label} ({mode.value})": check_operation(op, headers, examples, mode)
        for op in operations
        for mode in GenerationMode
    }


def test_every_answer_with_a_token_is_documented(world: World) -> None:
    """With a valid token, every status, header and body matches the document; no 5xx but the documented 503."""
    counts = fuzz(world.api.url, {"Authorization": f"Bearer {TOKEN}"})
    assert len(counts) >= 12 and sum(counts.values()) >= 100


def test_every_answer_without_a_token_is_documented(world: World) -> None:
    """Without a token, every answer (401 before any body parsing) matches the document."""
    counts = fuzz(world.api.url, {})
    assert len(counts) >= 12 and sum(counts.values()) >= 100
