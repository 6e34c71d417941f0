"""The ``Idempotency-Key`` header of every creating POST: a retry gets the first response.

A creating route takes the dependency right after its auth dependency (the key belongs to
the authenticated principal)::

    @router.post("", status_code=201)
    def create(body: In, principal: Principal = Depends(require(...)),
               _: None = Depends(idempotency_key), ...) -> Out: ...

``idempotency_key`` checks the header (422 ``idempotency.key_invalid``), then asks the
control store (``services.idempotency_keys``) on a worker thread: a new key is claimed for
this request; a key that answered the same request (method, path, query, body) raises
``Replayed``, which ``install`` renders as the kept response (same status and body) with
``Idempotent-Replayed: true``; a key used for another request is 422
``idempotency.key_reused``; one whose first request is still running is 409
``idempotency.in_progress`` with ``Retry-After``. ``Recorder`` (innermost ASGI middleware)
sees the response of a claimed request and keeps it when it is a 2xx, or lets the key go
otherwise (a retry runs again). A request that outlives the server's deadline still finishes
and is kept, so a retry after a 504 gets the answer rather than a second write.

Example:
    >>> HEADER, REPLAYED
    ('Idempotency-Key', 'Idempotent-Replayed')
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onshore.core.errors import IdempotencyInProgress
from onshore.ports.idempotency import StoredResponse
from onshore.server.contract import IDEMPOTENCY_HEADER
from onshore.server.errors import onshore_error_response
from onshore.services.idempotency_keys import KEY_PATTERN, Claim, IdempotencyKeys, fingerprint

HEADER = IDEMPOTENCY_HEADER
REPLAYED = "Idempotent-Replayed"
_STATE = "idempotency_claim"


class Replayed(Exception):
    """Raised by ``idempotency_key`` when the response is already kept (see module)."""

    def __init__(self, response: StoredResponse) -> None:
        super().__init__("replayed")
        self.response = response


def _principal_id(request: Request) -> str:
    principal = getattr(request.state, "principal", None)
    if principal is None:  # a route that lists the dependency before its auth dependency
        raise RuntimeError("idempotency_key must come after the route's auth dependency")
    return str(principal.id)  # a user's or a service account's id: its keys are its own


async def idempotency_key(
    request: Request,
    key: str | None = Header(
        default=None,
        alias=HEADER,
        description="A key of your choice (a UUID) that makes this request safe to retry: "
        "the same key with the same request returns the first response "
        f"(`{REPLAYED}: true`), for 24 h by default.",
        json_schema_extra={"pattern": KEY_PATTERN, "minLength": 1, "maxLength": 255},
    ),
) -> None:
    """Claim the request's ``Idempotency-Key`` or replay its response (see module)."""
    if key is None:
        return
    service: IdempotencyKeys = request.app.state.onshore.idempotency
    service.check_key(key)
    route = request.scope.get("route")
    operation = f"{request.method} {getattr(route, 'path', request.url.path)}"
    body = await request.body()
    seen = fingerprint(request.method, request.url.path, str(request.url.query), body)
    outcome = await run_in_threadpool(service.begin, _principal_id(request), operation, key, seen)
    if isinstance(outcome, Claim):
        request.state.idempotency_claim = outcome
        return
    raise Replayed(outcome.response)


def _replay(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Replayed)
    kept = exc.response
    return Response(
        kept.body, status_code=kept.status, media_type=kept.content_type, headers={REPLAYED: "true"}
    )


def _in_progress(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IdempotencyInProgress)
    response = onshore_error_response(request, exc)
    response.headers["Retry-After"] = str(exc.details.get("retry_after", 1))
    return response


class Recorder:
    """Keep the response of a request that claimed an ``Idempotency-Key`` (see module)."""

    def __init__(self, app: ASGIApp, *, service: IdempotencyKeys) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        status = 0
        content_type = "application/json"
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if state.get(_STATE) is not None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    for name, value in message.get("headers", ()):
                        if name.lower() == b"content-type":
                            content_type = value.decode("latin-1")
                elif message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body", False):
                        claim: Claim = state.pop(_STATE)
                        kept = StoredResponse(status, b"".join(chunks), content_type)
                        await run_in_threadpool(self.service.finish, claim, kept)
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            claim = state.pop(_STATE, None)
            if claim is not None:  # no complete response: let the key go
                await run_in_threadpool(self.service.abandon, claim)


def install(app: FastAPI, service: IdempotencyKeys) -> None:
    """Render replays and ``in_progress`` (with ``Retry-After``) and keep the responses of
    claimed requests (call before the other middleware: it must be the innermost)."""
    app.add_exception_handler(Replayed, _replay)
    app.add_exception_handler(IdempotencyInProgress, _in_progress)
    app.add_middleware(Recorder, service=service)


__all__ = ["HEADER", "REPLAYED", "Replayed", "idempotency_key", "install"]
