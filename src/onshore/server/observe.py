"""Per-request bookkeeping: a request id, the access log line, metrics, and the last-resort
500 (in the one error shape, with no stack trace and no exception message). A client that
disconnects before it is answered is counted and logged as status 499, not 500.

Example:
    >>> from starlette.applications import Starlette
    >>> from onshore.server.metrics import Metrics
    >>> Observe(Starlette(), Metrics()).metrics.registry is not None
    True
"""

from __future__ import annotations

import itertools
import json
import logging
import secrets
import time
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onshore.server.errors import error_body, log_unexpected
from onshore.server.metrics import Metrics

log = logging.getLogger("onshore.server.access")

#: Request ids: a random per-process prefix and a counter (unique, not secret; no syscall).
_PREFIX = secrets.token_hex(4)
_COUNTER = itertools.count(1)

#: The status counted (never sent) for a request whose client disconnected before it was
#: answered, e.g. mid-body (nginx's convention): it is not a server error.
CLIENT_CLOSED = 499


def new_request_id() -> str:
    """A new 16-hex-digit request id, unique within this process (and, by its random prefix,
    almost surely across processes).

    Example:
        >>> a, b = new_request_id(), new_request_id()
        >>> len(a), a != b, a[:8] == b[:8]
        (16, True, True)
    """
    return f"{_PREFIX}{next(_COUNTER) & 0xFFFFFFFF:08x}"


def route_template(scope: Scope) -> str:
    """The matched route's template (``/v1/records/{record_id}``), or ``unmatched``."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class Observe:
    """Assign ``X-Request-ID``, log and count every request, and turn an unexpected
    exception into ``500 onshore.error``."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self._children: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
            if not response_started:  # the client went away before it could be answered
                status = CLIENT_CLOSED
        except ClientDisconnect:
            status = CLIENT_CLOSED
        except Exception as exc:
            log_unexpected(exc, request_id)
            if not response_started:
                body = json.dumps(
                    error_body(
                        "onshore.error",
                        "internal error; see the server log",
                        {"request_id": request_id},
                    )
                ).encode()
                await send_wrapper(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send_wrapper({"type": "http.response.body", "body": body})
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            method = scope["method"]
            key = (method, route, str(status))
            children = self._children.get(key)
            if children is None:  # one labelled child per route and status, looked up once
                children = (
                    self.metrics.requests.labels(method=method, route=route, status=key[2]),
                    self.metrics.latency.labels(method=method, route=route),
                )
                if len(self._children) < 4096:
                    self._children[key] = children
            children[0].inc()
            children[1].observe(elapsed)
            principal = scope["state"].get("principal")
            log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "token_id": getattr(principal, "token_id", None),
                    "role": getattr(principal, "role", None),
                },
            )
