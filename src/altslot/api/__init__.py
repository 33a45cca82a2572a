"""The HTTP API (FastAPI): routes translate between JSON and the service, nothing more.

The app is built by ``altslot.api.app.create_app`` (or ``altslot.api.factory.app_from_env`` for uvicorn).
The package itself imports nothing, so the search layer can use ``altslot.api.schemas`` without a cycle.
"""
