"""Run an ASGI app under real uvicorn on a background thread (tests, demo, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import uvicorn

from altslot.api.readdeadline import with_read_timeout


@dataclass
class RunningServer:
    """A uvicorn server on a loopback socket; ``url`` is its base URL."""

    url: str
    port: int
    _server: uvicorn.Server
    _thread: threading.Thread

    def stop(self) -> None:
        """Ask uvicorn to shut down and wait for its thread."""
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def bind_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """Bind a listening TCP socket; port 0 picks a free one."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def start_in_thread(
    app: Any, host: str = "127.0.0.1", port: int = 0, *, read_timeout: float | None = None, **options: Any
) -> RunningServer:
    """Serve ``app`` on ``host:port`` in a daemon thread and return once it accepts connections.

    ``read_timeout`` closes connections whose request does not arrive within that many seconds.
    """
    sock = bind_socket(host, port)
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", **options)
    if read_timeout is not None:
        with_read_timeout(config, read_timeout)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"server on {host}:{bound_port} did not start")
        time.sleep(0.01)
    return RunningServer(url=f"http://{host}:{bound_port}", port=bound_port, _server=server, _thread=thread)


def serve_forever(
    app: str, *, host: str, port: int, workers: int, read_timeout: float, graceful_seconds: int, **options: Any
) -> None:
    """Run the import-string ``app`` factory under uvicorn in this process (and ``workers`` children)."""
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        app,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        backlog=4096,
        timeout_graceful_shutdown=graceful_seconds,
        **options,
    )
    with_read_timeout(config, read_timeout)
    if workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    config.load_app()
    uvicorn.Server(config).run()
