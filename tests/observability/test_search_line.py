"""The ``search`` line rendered with orjson is structlog's line, key by key; other records are untouched."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import structlog

from altslot.events import FetchDone, SearchDone
from altslot.observability.lines import UtcStamp, search_entry
from altslot.observability.logs import SEARCH_FIELDS, SEARCH_LOGGER, SearchLines, configure_logging, formatter

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DONE = SearchDone("salon", "call-42.a_b", 1412903, 1, 14, 1, 0, 0.6123, 3, "same_day_later", False, False, None,
                  False, None)  # fmt: skip
ODD = SearchDone("salön", 'r"\\x', 7, 0, 0, 0, 3, 1e16, 0, None, True, True, "stale", True, "closed", 503)


def reference_line(event: SearchDone) -> str:
    """The line as altslot rendered it through structlog before: bound logger, pre-chain, ``formatter("json")``."""
    out = io.StringIO()
    stdlib = logging.Logger(SEARCH_LOGGER)  # outside the hierarchy: only this handler sees the record
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter("json"))
    stdlib.addHandler(handler)
    log = structlog.wrap_logger(
        stdlib,
        processors=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="ts"),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.stdlib.BoundLogger,
    )
    log.info("search", **{name: getattr(event, name) for name in SEARCH_FIELDS})
    return out.getvalue()


@pytest.fixture
def configured_handler() -> Iterator[logging.Handler]:
    """``configure_logging("json")`` on a buffer (the handler's ``stream``), undone afterwards."""
    root = logging.getLogger()
    level = root.level
    handler = configure_logging("json", io.StringIO())
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def configured(configured_handler: logging.StreamHandler[io.StringIO]) -> io.StringIO:
    """The buffer ``configure_logging`` writes to."""
    return configured_handler.stream


def pairs(line: str) -> list[tuple[str, Any]]:
    return list(json.loads(line).items())


def stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("event", [DONE, ODD], ids=["warm", "odd"])
def test_the_line_equals_structlogs_key_by_key(configured: io.StringIO, event: SearchDone) -> None:
    """Same keys in the same order with the same values as structlog's line; ``ts`` in its format, not earlier."""
    reference = reference_line(event)
    SearchLines().observe(event)
    [line] = configured.getvalue().splitlines()
    ours, theirs = pairs(line), pairs(reference)
    assert [k for k, _ in ours] == [k for k, _ in theirs]
    assert ours[:-1] == theirs[:-1]
    assert ours[-1][0] == "ts"
    assert len(ours[-1][1]) == len(theirs[-1][1])
    assert stamp(ours[-1][1]) >= stamp(theirs[-1][1])
    assert line.isascii()


def test_the_entry_holds_the_search_fields_in_order() -> None:
    """``search_entry`` spells out ``SEARCH_FIELDS`` in their order, then structlog's own keys."""
    assert tuple(search_entry(DONE, SEARCH_LOGGER, "t")) == (*SEARCH_FIELDS, "event", "level", "logger", "ts")


@pytest.mark.parametrize(
    "ns",
    [1_790_000_000_000_000_000, 1_790_000_000_123_456_789, 1_790_000_000_000_000_999, 1_789_999_999_999_999_000],
    ids=["whole-second", "fraction", "under-a-microsecond", "last-microsecond"],
)
def test_the_stamp_is_isoformat_in_utc(ns: int) -> None:
    """``UtcStamp`` writes what ``datetime.isoformat`` writes, ``Z`` for UTC, no fraction at a whole second."""
    expected = (EPOCH + timedelta(microseconds=ns // 1000)).isoformat().replace("+00:00", "Z")
    assert UtcStamp().at(ns) == expected


def test_the_stamp_moves_on_to_the_next_second() -> None:
    """The cached second is replaced when time passes it, within one stamp and across."""
    stamp_of = UtcStamp()
    first = stamp_of.at(1_790_000_000_999_999_000)
    assert (first, stamp_of.at(1_790_000_001_000_001_000)) == (
        "2026-09-21T14:13:20.999999Z",
        "2026-09-21T14:13:21.000001Z",
    )


def test_in_a_loop_the_line_is_written_after_the_step_and_before_later_records(
    configured_handler: logging.StreamHandler[io.StringIO],
) -> None:
    """On a running loop the line waits for the step's end; a later record, or ``flush``, writes it first."""
    out = configured_handler.stream
    seen: list[str] = []

    async def steps() -> None:
        SearchLines().observe(DONE)
        seen.append(out.getvalue())
        await asyncio.sleep(0)
        seen.append(out.getvalue())
        SearchLines().observe(ODD)
        logging.getLogger("altslot.test").warning("after the search")
        SearchLines().observe(DONE)
        configured_handler.flush()

    asyncio.run(steps())
    assert seen[0] == ""
    assert [json.loads(line)["request_id"] for line in seen[1].splitlines()] == [DONE.request_id]
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(line["event"], line.get("request_id")) for line in lines] == [
        ("search", DONE.request_id),
        ("search", ODD.request_id),
        ("after the search", None),
        ("search", DONE.request_id),
    ]


def test_other_events_and_disabled_logger_write_nothing(configured: io.StringIO) -> None:
    """Only ``SearchDone`` makes a line, and only while the search logger is enabled for INFO."""
    logger = logging.getLogger(SEARCH_LOGGER)
    level = logger.level
    SearchLines().observe(FetchDone("salon", 15, None))
    logger.setLevel(logging.WARNING)
    try:
        SearchLines().observe(DONE)
    finally:
        logger.setLevel(level)
    assert configured.getvalue() == ""


def test_nothing_is_printed_without_configure_logging(capsys: pytest.CaptureFixture[str]) -> None:
    """Unconfigured (``altslot find --json``), a search writes nothing to stdout or stderr."""
    SearchLines().observe(DONE)
    assert capsys.readouterr() == ("", "")


def test_other_handlers_get_the_record_as_before(configured: io.StringIO) -> None:
    """A handler on the search logger still gets a record; its formatter renders structlog's line."""
    side = io.StringIO()
    handler = logging.StreamHandler(side)
    handler.setFormatter(formatter("json"))
    logger = logging.getLogger(SEARCH_LOGGER)
    logger.addHandler(handler)
    try:
        SearchLines().observe(DONE)
    finally:
        logger.removeHandler(handler)
    [fast] = configured.getvalue().splitlines()
    [record] = side.getvalue().splitlines()
    assert pairs(record) == pairs(fast)
    assert record == json.dumps(json.loads(fast))
    assert pairs(record)[:-1] == pairs(reference_line(DONE))[:-1]


def test_a_console_configuration_formats_the_search_record() -> None:
    """``log_format = "console"``: the search line goes through the console formatter, not orjson."""
    out = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging("console", out)
    try:
        SearchLines().observe(DONE)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    text = out.getvalue()
    assert "search" in text and "tenant=salon" in text
    assert not text.startswith("{")


def test_plain_records_are_rendered_by_structlog_as_before(configured: io.StringIO) -> None:
    """A non-search record through ``configure_logging``'s handler is exactly ``formatter("json")``'s rendering."""
    logging.getLogger("altslot.test").warning("hello %s", "world")
    [line] = configured.getvalue().splitlines()
    record = logging.LogRecord("altslot.test", logging.WARNING, __file__, 1, "hello %s", ("world",), None)
    expected = json.loads(formatter("json").format(record))
    assert pairs(line)[:-1] == list(expected.items())[:-1]
    assert line.startswith('{"event": "hello world", "level": "warning"')
