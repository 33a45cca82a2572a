"""The warm-path ceiling: a bare FastAPI app served by uvicorn exactly as ``altslot serve`` serves altslot."""

from __future__ import annotations

import sys
from typing import Any

from fastapi import FastAPI


def ping_app() -> FastAPI:
    """``POST /ping`` answers a constant without reading the body; ``GET /healthz`` for readiness."""
    app = FastAPI()

    @app.post("/ping")
    async def ping() -> dict[str, Any]:
        return {"ok": True}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


if __name__ == "__main__":
    import uvicorn

    # The same uvicorn options as ``altslot serve``, so the ceiling is comparable.
    uvicorn.run(ping_app(), host="127.0.0.1", port=int(sys.argv[1]), access_log=False, backlog=4096)
