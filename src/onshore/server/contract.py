"""The contract of each route: what it does (summary, operation id), who may call it (its
security), and every error status it can really answer, each with the one error shape.

``document(app)`` runs once in ``create_app``, after the routers are included. For every
route it derives the error statuses from what the route is made of, then adds what the route
declares itself (``responses=``) and drops what it marks ``NEVER``:

- an auth dependency (``require``): 401 and 403;
- any ``/v1`` route reads a store: 503; every route runs under the deadline: 504;
- every route refuses an unknown query parameter (``LimitedRoute``): 422;
- a request body: 400 (not JSON) and 413 (over a limit);
- a ``/v1`` route names things that may not exist (an id in the path, a region or an
  authority in the query or body): 404, unless the route says ``NEVER``;
- a write (``POST``, ``PUT``, ``PATCH``, ``DELETE``) may conflict with what is stored: 409;
- the ``Idempotency-Key`` dependency: 409 (in flight) and 422 (malformed, reused).

``onshore.server.openapi`` then writes these into the OpenAPI document. A route without a
summary gets the first clause of its docstring; its operation id is ``<tag>_<function>``.

Example:
    >>> sorted(ERRORS)[:3]
    [400, 401, 403]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase
from pydantic import BaseModel, ConfigDict, Field

#: What each error status means on this API (docs/api.md's table, shortened).
ERRORS: dict[int, str] = {
    400: "the body is not valid UTF-8 JSON (or CSV/JSON Lines text), or nests too deep",
    401: "missing, invalid or revoked token",
    403: "the caller's roles lack the permission",
    404: "no such record, region, case, token or authority",
    409: "a conflict with what is stored, or the law says no",
    413: "the body, a record, a string or a list is over a server limit",
    422: "the request does not match the schema, or a value is refused",
    429: "too many attempts: retry after Retry-After seconds",
    503: "a store is unreachable; nothing was written",
    504: "the request outlived the server's deadline",
}

#: A route's ``responses={status: NEVER}`` says it cannot answer ``status`` after all.
NEVER: dict[str, Any] = {"description": "never answered", "x-onshore-never": True}

_WRITES = {"POST", "PUT", "PATCH", "DELETE"}
#: The longest summary taken from a docstring.
SUMMARY_MAX = 100
#: The request header of idempotent creation (``server.idempotency``).
IDEMPOTENCY_HEADER = "Idempotency-Key"


class ErrorInfo(BaseModel):
    """The ``error`` member: a stable dotted code, a message without personal data, and
    machine-readable details."""

    model_config = ConfigDict(extra="forbid", title="ErrorInfo")

    code: str = Field(
        description="A stable dotted code (docs/errors.md).", examples=["auth.forbidden"]
    )
    message: str = Field(description="What went wrong, for a person (no personal data).")
    details: dict[str, Any] = Field(description="Machine-readable details of the error.")


class ErrorOut(BaseModel):
    """The one error shape (docs/errors.md)."""

    model_config = ConfigDict(extra="forbid", title="Error")

    error: ErrorInfo


@dataclass(frozen=True)
class RouteContract:
    """What ``document`` learned about one operation (read by ``server.openapi``)."""

    errors: dict[int, str]
    """Each error status the operation can answer, with what it means there."""
    public: bool
    """True when no credential is needed (``security: []``)."""
    idempotent: bool
    """True when it takes the ``Idempotency-Key`` header."""


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def _calls(route: APIRoute) -> list[Callable[..., Any]]:
    return [d.call for d in _dependencies(route.dependant) if d.call is not None]


def _authenticated(route: APIRoute) -> bool:
    return any(isinstance(c, SecurityBase) or hasattr(c, "permission") for c in _calls(route))


def _idempotent(route: APIRoute) -> bool:
    return any(
        p.alias == IDEMPOTENCY_HEADER
        for d in [route.dependant, *_dependencies(route.dependant)]
        for p in d.header_params
    )


def _takes_body(route: APIRoute) -> bool:
    return route.body_field is not None or "requestBody" in (route.openapi_extra or {})


def error_statuses(route: APIRoute) -> dict[int, str]:
    """The error statuses ``route`` can answer, each with its description (see module)."""
    derived = {422, 504}
    if route.path.startswith("/v1/"):
        derived.add(503)
    if _authenticated(route):
        derived |= {401, 403}
    if _takes_body(route):
        derived |= {400, 413}
    if "{" in route.path or route.path.startswith("/v1/"):
        derived.add(404)
    if set(route.methods or ()) & _WRITES and route.path.startswith("/v1/"):
        derived.add(409)
    if _idempotent(route):
        derived |= {409, 422}
    out: dict[int, str] = {s: ERRORS[s] for s in derived}
    for status, response in route.responses.items():
        code = int(status) if str(status).isdigit() else 0
        if code < 400:
            continue
        if response.get("x-onshore-never"):
            out.pop(code, None)
        else:
            out[code] = str(response.get("description") or ERRORS.get(code, ""))
    if _idempotent(route):
        out[409] += "; or a request with this Idempotency-Key is still being processed"
        out[422] += "; or the Idempotency-Key is malformed or was used for another request"
    return dict(sorted(out.items()))


def summary_of(route: APIRoute) -> str:
    """The route's summary, else the first clause of its docstring (up to ``;``, ``:`` or
    the end of the first sentence).

    Example:
        >>> from fastapi.routing import APIRoute
        >>> def put() -> None:
        ...     '''Store one record; returns a receipt.'''
        >>> summary_of(APIRoute("/x", put))
        'Store one record'
    """
    if route.summary:
        return route.summary
    text = " ".join((route.endpoint.__doc__ or route.name.replace("_", " ")).split())
    first = re.split(r"(?<=[a-z0-9)`])[.;:](?:\s|$)|\s\(", text, maxsplit=1)[0]
    first = first.replace("``", "`").strip().rstrip(".")
    if len(first) > SUMMARY_MAX:  # a summary is a line: cut at a word
        first = first[: SUMMARY_MAX - 1].rsplit(" ", 1)[0].rstrip(",;") + "…"
    return first


def operation_id(route: APIRoute) -> str:
    """``<first tag>_<function name>``, e.g. ``records_put_record`` (FastAPI's
    ``generate_unique_id_function``).

    Example:
        >>> from fastapi.routing import APIRoute
        >>> def put_record() -> None: ...
        >>> operation_id(APIRoute("/v1/records", put_record, tags=["records"]))
        'records_put_record'
    """
    tag = route.tags[0] if route.tags else ""
    raw = f"{tag}_{route.name}" if tag else route.name
    return re.sub(r"[^A-Za-z0-9_]+", "_", str(raw)).strip("_").lower()


def document(app: FastAPI, routers: list[APIRouter]) -> dict[tuple[str, str], RouteContract]:
    """Give every route of ``routers`` (included in ``app`` without a prefix) a summary and
    learn each operation's contract (see module); remember each path's methods for
    ``allowed_methods``. Returns the contracts by (path, method)."""
    paths: list[tuple[re.Pattern[str], frozenset[str]]] = []
    contracts: dict[tuple[str, str], RouteContract] = {}
    for route in [r for router in routers for r in router.routes]:
        if not isinstance(route, APIRoute):
            continue
        paths.append((route.path_regex, frozenset(route.methods or ())))
        if not route.include_in_schema:
            continue
        route.summary = summary_of(route)
        contract = RouteContract(
            errors=error_statuses(route),
            public=not _authenticated(route),
            idempotent=_idempotent(route),
        )
        for method in route.methods or ():
            contracts[(route.path_format, method.lower())] = contract
    app.state.onshore_paths = paths
    return contracts


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
