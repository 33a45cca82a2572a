"""A route's JSON body validated once, straight from its bytes, and refused exactly as FastAPI refuses it.

FastAPI reads a ``body: Model`` parameter by parsing the bytes with ``json.loads`` and validating the objects
in Python mode, inside its dependency solver; on the warm path that cost as much as the search's answer. A
route that takes only ``Request`` reads its body with ``read_json`` instead: ``model_validate_json`` on the raw
bytes, and, only when that fails, FastAPI's own steps to build the very 400 or 422 it would have answered
(``tests/e2e/test_jsonbody.py`` holds the two side by side). ``documents`` and ``document_bodies`` put the
body into the OpenAPI document as FastAPI would have put it there.
"""

from __future__ import annotations

import email.message
import json
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException

Model = TypeVar("Model", bound=BaseModel)

_UNREADABLE = "There was an error parsing the body"  # FastAPI's words for a body it cannot decode


async def read_json(request: Request, model: type[Model]) -> Model:
    """The body as ``model``; a ``RequestValidationError`` or a 400 ``HTTPException`` just as FastAPI raises them."""
    try:
        raw = await request.body()
    except HTTPException:
        raise
    except Exception as exc:  # FastAPI answers any other failure to read the body with its 400
        raise HTTPException(400, _UNREADABLE) from exc
    json_type = is_json(request.headers.get("content-type"))
    if raw and json_type:
        try:
            return model.model_validate_json(raw)
        except ValidationError:
            pass  # the refusal is rebuilt below with FastAPI's parser and validation, so its words stay the same
    return _as_fastapi_reads(model, raw, json_type)


@lru_cache(maxsize=64)
def is_json(content_type: str | None) -> bool:
    """Whether FastAPI parses a body of this content type as JSON (``application/json`` or ``…+json``)."""
    if not content_type:
        return False  # FastAPI's strict content type: a body without one is not JSON
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


def _as_fastapi_reads(model: type[Model], raw: bytes, json_type: bool) -> Model:
    """FastAPI's reading of a ``body: model`` parameter, step by step (``fastapi.routing.get_request_handler``)."""
    if not raw:
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}])
    value: Any = raw  # a body of another content type is validated as bytes, and refused
    if json_type:
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            error = {"type": "json_invalid", "loc": ("body", exc.pos), "msg": "JSON decode error", "input": {}}
            raise RequestValidationError([{**error, "ctx": {"error": exc.msg}}], body=exc.doc) from exc
        except Exception as exc:  # not UTF-8/16/32, nested too deep: FastAPI's 400
            raise HTTPException(400, _UNREADABLE) from exc
    try:
        return model.model_validate(value, from_attributes=True)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors, body=value) from None


def documents(model: type[BaseModel], security: Callable[..., Any]) -> dict[str, Any]:
    """``openapi_extra`` for a route that reads ``model`` itself: the body, 422 and security FastAPI would list."""
    operation = _declared(model, security)["paths"]["/"]["post"]
    return {
        "requestBody": operation["requestBody"],
        "responses": {"422": operation["responses"]["422"]},
        "security": operation["security"],
    }


def document_bodies(app: FastAPI, models: Sequence[type[BaseModel]], security: Callable[..., Any]) -> None:
    """Add the schemas of ``models`` (and all they reference) and ``security``'s scheme to ``app``'s document.

    FastAPI collects component schemas from the parameters routes declare; a route that reads its body itself
    declares none, so the schemas are taken from the document FastAPI writes for a declaration of the body.
    """
    generate: Callable[[], dict[str, Any]] = app.openapi
    completed: dict[str, Any] | None = None

    def openapi() -> dict[str, Any]:
        nonlocal completed
        document = generate()
        if document is not completed:  # FastAPI built it anew (first call, or its routes changed)
            for model in models:
                _merge(document.setdefault("components", {}), _declared(model, security)["components"])
            completed = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend its document


def _declared(model: type[BaseModel], security: Callable[..., Any]) -> dict[str, Any]:
    """The document FastAPI writes for one route declaring ``body: model`` behind ``security``."""

    async def declared(body: Any) -> None:
        """Never called: FastAPI only documents it."""

    declared.__annotations__ = {"body": model, "return": None}  # what ``body: model`` declares
    route = APIRoute("/", declared, methods=["POST"], dependencies=[Depends(security)])
    return get_openapi(title="", version="", routes=[route])


def _merge(components: dict[str, Any], found: dict[str, Any]) -> None:
    """Add ``found``'s schemas and security schemes to ``components``; a name may not mean two schemas."""
    for section in ("schemas", "securitySchemes"):
        known = components.setdefault(section, {})
        for name, schema in found.get(section, {}).items():
            if known.setdefault(name, schema) != schema:
                raise ValueError(f"two different {section} named {name} in the OpenAPI document")
        components[section] = dict(sorted(known.items()))  # FastAPI lists them by name
