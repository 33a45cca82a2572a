"""The search log's table (the seed's ``appointment_alternative_logs``) on one database, synchronous.

``SearchLog`` is called from a worker thread (``searchlog.SearchLogWriter``) inside the service, and directly by
``altslot stats``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    text,
)
from sqlalchemy.engine import make_url

from altslot.events import SearchDone
from altslot.observability.lines import SEARCH_FIELDS, search_fields

DEFAULT_TABLE = "appointment_alternative_logs"


def utc_now() -> datetime:
    """The current instant as naive UTC, the way the table stores it (SQLite has no time zones)."""
    return datetime.now(UTC).replace(tzinfo=None)


def search_table(metadata: MetaData, name: str = DEFAULT_TABLE) -> Table:
    """The seed's columns (``api_calls_made`` … ``fallback_triggered``, ``cache_hit``) plus ours."""
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("created_at", DateTime, nullable=False, index=True),
        Column("tenant", String(64), nullable=False, index=True),
        Column("request_id", String(128), nullable=False),
        Column("event_type_id", Integer, nullable=False),
        Column("status", Integer, nullable=False),
        Column("api_calls_made", Integer, nullable=False),
        Column("cache_hit", Boolean, nullable=False),
        Column("cache_hits", Integer, nullable=False),
        Column("cache_misses", Integer, nullable=False),
        Column("stale_hits", Integer, nullable=False),
        Column("duration_ms", Float, nullable=False),
        Column("alternatives_found", Integer, nullable=False),
        Column("strategy_used", String(32)),
        Column("fallback_triggered", Boolean, nullable=False),
        Column("timeout_hit", Boolean, nullable=False),
        Column("degraded", String(16)),
        Column("available", Boolean, nullable=False),
        Column("why_not", String(64)),
    )


def cache_hit(event: SearchDone) -> bool:
    """The seed's flag: answered without asking Cal.com."""
    return event.api_calls_made == 0 and event.cache_misses == 0 and event.status == 200


def row_of(event: SearchDone, created_at: datetime) -> dict[str, Any]:
    """The table row for one finished search."""
    row = search_fields(event)
    row["created_at"] = created_at
    row["cache_hit"] = cache_hit(event)
    return row


_FIELDS = operator.attrgetter(*SEARCH_FIELDS)
_ROW_NAMES = ("created_at", "cache_hit", *SEARCH_FIELDS)
"""The columns of ``row_of`` in the order the writer builds them (``created_at``, the flag, the event's fields)."""


def _make_parent(url: str) -> None:
    """Create the directory of a SQLite file (the default lives in a state directory that may not exist yet)."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _as_a_log(connection: Any, record: Any) -> None:
    """SQLite set up for a log one writer appends to in batches.

    In WAL mode a batch commits with one sync of the log instead of two of the database, and ``synchronous=NORMAL``
    can lose only the last batches to a power cut, never the file's consistency: this is a log, not a ledger.
    """
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_MARKS = {"qmark": "?", "pyformat": "%s"}
"""The positional marker of each supported driver's paramstyle: sqlite3's, and psycopg's (it takes ``%s`` too)."""
_MAX_PARAMETERS = 999
"""Bound values per statement: the lowest limit any SQLite build has had (PostgreSQL allows 65 535)."""


class _RowsInsert:
    """Searches as multi-row ``INSERT … VALUES (…), (…)`` statements, straight to the driver.

    SQLAlchemy's ``execute(insert(table), rows)`` is the driver's ``executemany``: one statement execution per
    row, and the sqlite3 driver releases the GIL around each, so under load every row costs a hand-over of
    the GIL between the writer thread and the event loop (≈ 20 µs of the server's CPU per search). A statement
    of many rows releases it once, and its values are read off the events directly (no row dictionaries).
    ``created_at`` goes through its column type's bind processor for the dialect (SQLite stores datetimes as
    text); booleans, numbers and strings go to both drivers as they are (sqlite3 stores a bool as 0 or 1, as
    SQLAlchemy's processor would), so the rows are ``row_of``'s.
    """

    def __init__(self, table: Table, dialect: Any) -> None:
        mark = _MARKS[dialect.paramstyle]  # the settings admit SQLite and PostgreSQL (psycopg) only
        self._head = f"INSERT INTO {table.name} ({', '.join(_ROW_NAMES)}) VALUES "
        self._row = f"({', '.join(mark for _ in _ROW_NAMES)})"
        self.per_statement = max(1, _MAX_PARAMETERS // len(_ROW_NAMES))
        process = table.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        self._created: Callable[[datetime], Any] = process or (lambda at: at)
        self._statements: dict[int, str] = {}

    def statements(self, batch: Sequence[tuple[SearchDone, datetime]]) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """The statements for ``batch`` (each search with when it was observed), ``per_statement`` rows each."""
        created = self._created
        for first in range(0, len(batch), self.per_statement):
            chunk = batch[first : first + self.per_statement]
            sql = self._statements.get(len(chunk))
            if sql is None:
                sql = self._statements[len(chunk)] = self._head + ", ".join(self._row for _ in chunk)
            values: list[Any] = []
            for done, at in chunk:
                values += (created(at), cache_hit(done), *_FIELDS(done))
            yield sql, tuple(values)


class SearchLog:
    """The table on one database (synchronous; call it from a worker thread inside the service)."""

    def __init__(self, url: str, table: str = DEFAULT_TABLE) -> None:
        connect_args: dict[str, Any] = {}
        if url.startswith("sqlite"):
            _make_parent(url)
            # Worker threads take turns on the pooled connection; the flush task never overlaps itself.
            connect_args["check_same_thread"] = False
        elif url.startswith("postgresql"):
            connect_args["connect_timeout"] = 3
        self.engine: Engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _as_a_log)
        self.metadata = MetaData()
        self.table = search_table(self.metadata, table)
        self._created = False
        self._insert = _RowsInsert(self.table, self.engine.dialect)

    def create(self) -> None:
        """Create the table if it is missing."""
        if not self._created:
            self.metadata.create_all(self.engine, checkfirst=True)
            self._created = True

    def write(self, batch: Sequence[tuple[SearchDone, datetime]]) -> None:
        """Insert the rows of these searches (each with when it was observed) in one transaction."""
        self.create()
        with self.engine.begin() as conn:
            for sql, values in self._insert.statements(batch):
                conn.exec_driver_sql(sql, values)

    def sweep(self, older_than: datetime) -> int:
        """Delete rows created before ``older_than``; returns how many."""
        self.create()
        with self.engine.begin() as conn:
            result = conn.execute(delete(self.table).where(self.table.c.created_at < older_than))
        return int(result.rowcount or 0)

    def ping(self) -> None:
        """Raise unless the database answers."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def drop(self) -> None:
        """Drop the table (tests)."""
        self.metadata.drop_all(self.engine, checkfirst=True)
        self._created = False

    def close(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()
