"""Search-log databases: a temporary SQLite file and the real PostgreSQL (a missing one fails the run)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from altslot.observability import ObservabilitySettings
from altslot.observability.searchtable import SearchLog

POSTGRES_URL = os.environ.get("ALTSLOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@dataclass
class Database:
    """One search-log database and a table of this test alone."""

    url: str
    table: str

    def settings(self, **extra: object) -> ObservabilitySettings:
        """Observability settings writing to this table, flushing quickly."""
        options: dict[str, object] = {
            "search_log_url": self.url,
            "search_log_table": self.table,
            "search_log_flush_seconds": 0.05,
            **extra,
        }
        return ObservabilitySettings.model_validate(options)

    def log(self) -> SearchLog:
        """A handle on the table (close it after use)."""
        return SearchLog(self.url, self.table)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The test PostgreSQL; the test fails (never skips) when it is not reachable."""
    log = SearchLog(POSTGRES_URL, "unused")
    try:
        log.ping()
    except Exception as exc:
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required for this test: {exc}")
    finally:
        log.close()
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """Each search-log test runs on SQLite and on PostgreSQL, in a table dropped afterwards."""
    table = f"altslot_test_{uuid.uuid4().hex[:12]}"
    sqlite = f"sqlite:///{tmp_path}/searches.db"
    db = Database(sqlite if request.param == "sqlite" else request.getfixturevalue("postgres_url"), table)
    yield db
    log = db.log()
    try:
        log.drop()
    finally:
        log.close()
