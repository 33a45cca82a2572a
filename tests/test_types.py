"""The shared vocabulary: the time-zone check every layer uses."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from altslot.api.schemas import AlternativesRequest
from altslot.types import is_time_zone


@pytest.mark.parametrize(("name", "known"), [("Europe/Berlin", True), ("UTC", True), ("Mars/Base", False), ("", False)])
def test_is_time_zone_knows_iana_names(name: str, known: bool) -> None:
    """IANA names are time zones; unknown and empty names are not."""
    assert is_time_zone(name) is known


def test_a_folder_of_the_zone_database_is_no_time_zone() -> None:
    """A folder of the tz database ("Europe") is refused like an unknown zone, never raised as an OSError."""
    assert not is_time_zone("Europe")
    body = {"event_type_id": 1, "desired_start": "2025-10-01T14:00", "time_zone": "Europe"}
    with pytest.raises(ValidationError, match="unknown time zone 'Europe'"):
        AlternativesRequest.model_validate(body)
