"""Compare hypercorn's timeouts with the stalled-connection cases of D8 (``docs/security.md``).

Needs hypercorn, which altslot does not depend on: ``.venv/bin/pip install hypercorn`` then
``.venv/bin/python -m tests.e2e.stall_compare`` (loopback, ≈ 1 min).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time

from tests.support.redis_servers import free_port

HEAD = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
CASES = {"nothing": b"", "half-headers": HEAD[:20], "half-body": HEAD + b"x" * 50}
PATIENCE = 30.0


def wait_for(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)


def main() -> None:
    """Each case against hypercorn with defaults and with ``--read-timeout 3``."""
    for extra in ([], ["--read-timeout", "3"]):
        port = free_port()
        app = "tests.e2e.stall_compare_app:app"
        server = subprocess.Popen([sys.executable, "-m", "hypercorn", app, "--bind", f"127.0.0.1:{port}", *extra])
        wait_for(port)
        for name, sent in CASES.items():
            with socket.create_connection(("127.0.0.1", port), timeout=PATIENCE) as sock:
                opened = time.monotonic()
                sock.sendall(sent)
                try:
                    while sock.recv(1000):
                        pass
                    outcome = f"closed after {time.monotonic() - opened:.1f} s"
                except TimeoutError:
                    outcome = f"still open after {PATIENCE:.0f} s"
            print(f"hypercorn {' '.join(extra) or 'defaults'} {name}: {outcome}")
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
