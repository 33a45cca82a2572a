"""Slow and stalled clients: a request must arrive within ``[server] read_timeout_seconds`` (D8)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from altslot.shell.http_settings import ServerSettings
from tests.support.redis_servers import free_port
from tests.support.world import TOKEN, running, salon_data

QUICK = ServerSettings(read_timeout_seconds=0.3)
# How long the test waits for the server to act; far beyond the deadline so a loaded machine cannot fail it.
PATIENCE = 20.0
BODY = b'{"event_type_id": 1412903, "desired_start": "2025-09-30T10:00"}'
HEAD = (
    b"POST /api/appointments/alternatives HTTP/1.1\r\nHost: x\r\n"
    + f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {len(BODY)}\r\n\r\n".encode()
)

STALLS = {
    "nothing": b"",
    "half-headers": HEAD[: len(HEAD) // 2],
    "half-body": HEAD + BODY[: len(BODY) // 2],
    "keep-alive-then-half-headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" + HEAD[:20],
}


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname or "", parts.port or 80), timeout=PATIENCE)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (socket.timeout if it never does)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


@pytest.mark.parametrize("sent", STALLS.values(), ids=STALLS.keys())
def test_a_stalled_request_is_closed_by_the_server(sent: bytes) -> None:
    """Nothing sent, half the headers or half the body: the server closes the connection at the deadline."""
    with running(salon_data(), server=QUICK) as world, closing(connect(world.api.url)) as sock:
        sock.sendall(sent)
        received = read_until_closed(sock)
        if sent.startswith(b"GET /healthz"):
            assert received.startswith(b"HTTP/1.1 200")  # the complete request was answered first
        else:
            assert received == b""
        # The server still serves others afterwards.
        assert world.search(desired_start="2025-09-30T10:00").status_code == 200


def test_a_slow_request_within_the_deadline_is_answered() -> None:
    """A request split over several packets is answered when it completes in time."""
    with running(salon_data()) as world, closing(connect(world.api.url)) as sock:
        for part in (HEAD[:30], HEAD[30:], BODY[:10], BODY[10:]):
            sock.sendall(part)
        assert sock.recv(12) == b"HTTP/1.1 200"


@contextmanager
def serving(tmp_path: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """``altslot serve`` with a long read deadline and a one-second graceful shutdown."""
    config = tmp_path / "altslot.toml"
    config.write_text(
        "[server]\nread_timeout_seconds = 120\ngraceful_shutdown_seconds = 1\n"
        "[observability]\nsearch_log_url = ''\n"
        f'[tenants.salon]\ntokens = ["{TOKEN}"]\nevent_types = [1412903]\n'
        f'calcom_base_url = "http://127.0.0.1:{free_port()}"\n',
        encoding="utf-8",
    )
    log = (tmp_path / "serve.log").open("wb")
    args = [sys.executable, "-m", "altslot", "serve", "--config", str(config), "--port", str(port)]
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=PATIENCE)
        log.close()


def wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    """Poll /healthz while the process starts (as ``tests.support.processes.altslot_process`` does)."""
    with httpx.Client(timeout=1) as http:
        for _ in range(600):
            try:
                if http.get(f"{url}/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                if process.poll() is not None:
                    pytest.fail("altslot serve exited")
                time.sleep(0.05)
        pytest.fail("altslot serve did not start")


def test_sigterm_with_a_stalled_body_exits_within_the_graceful_bound(tmp_path: Path) -> None:
    """SIGTERM while a request's body is stalled: the process exits after the graceful bound, not never."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with serving(tmp_path, port) as process:
        wait_until_serving(url, process)
        sock = connect(url)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(12) == b"HTTP/1.1 200"  # the connection is established in the server
        sock.sendall(HEAD + BODY[:10])
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=PATIENCE)
        sock.close()
        assert process.returncode in (0, -signal.SIGTERM, 128 + signal.SIGTERM)  # serve exits 143 on SIGTERM
