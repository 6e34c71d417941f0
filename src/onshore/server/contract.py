"""The OpenAPI document says what the server does: every error status a route can answer
(with the one error shape as its schema), the server's limits as bounds, and ``Allow``
headers that list every method a path serves.

``document(app)`` runs once in ``create_app``, after the routers are included: it adds the
statuses below to each ``/v1`` route's documented responses (a route's own descriptions
win) and sets the batch and row limits as ``maxItems`` on the generated schema.

Example:
    >>> sorted(ERRORS)[:3]
    [400, 401, 403]
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

#: What each error status means on this API (docs/api.md's table, shortened).
ERRORS: dict[int, str] = {
    400: "the body is not valid UTF-8 JSON (or CSV/JSON Lines text), or nests too deep",
    401: "missing, invalid or revoked token",
    403: "the role lacks the permission",
    404: "no such record, region, case, token or authority",
    409: "the law says no, or a conflict with what is stored",
    413: "the body, a record, a string or a list is over a server limit",
    422: "the request does not match the schema, or a value is refused",
    503: "a store is unreachable; nothing was written",
    504: "the request outlived the server's deadline",
}

#: Statuses every ``/v1`` route may answer; routes that take a body add 400 and 413.
_EVERY = (401, 403, 404, 409, 422, 503, 504)
_BODY = (400, 413)


class ErrorInfo(BaseModel):
    """The ``error`` member: a stable dotted code, a message without personal data, and
    machine-readable details."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(examples=["auth.forbidden"])
    message: str
    details: dict[str, Any]


class ErrorOut(BaseModel):
    """The one error shape (docs/errors.md)."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorInfo


def _takes_body(route: APIRoute) -> bool:
    extra = route.openapi_extra or {}
    return route.body_field is not None or "requestBody" in extra


def document(app: FastAPI, routers: list[APIRouter], *, max_batch: int, max_rows: int) -> None:
    """Document every route's error statuses and the list limits (see module); remember
    each path's methods for ``allowed_methods``."""
    paths: list[tuple[re.Pattern[str], frozenset[str]]] = []
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            paths.append((route.path_regex, frozenset(route.methods or ())))
            statuses = list(_EVERY if route.path.startswith("/v1/") else (503, 504))
            if _takes_body(route):
                statuses += _BODY
            for status in statuses:
                entry = route.responses.setdefault(status, {})
                entry.setdefault("description", ERRORS[status])
                entry["model"] = ErrorOut
    app.state.onshore_paths = paths
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = generate()
            schemas = spec.get("components", {}).get("schemas", {})
            if "BatchIn" in schemas:
                schemas["BatchIn"]["properties"]["records"]["maxItems"] = max_batch
            metrics = spec["paths"].get("/v1/audience/metrics", {}).get("post", {})
            body = metrics.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                body["schema"]["properties"]["rows"]["maxItems"] = max_rows
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path (for a 405's ``Allow``)."""
    path = request.scope.get("path", "")
    paths: list[tuple[re.Pattern[str], frozenset[str]]] = getattr(
        request.app.state, "onshore_paths", []
    )
    methods: set[str] = set()
    for regex, served in paths:
        if regex.match(path):
            methods |= served
    return sorted(methods)
