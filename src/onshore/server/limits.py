"""Request bodies: over ``max_body_bytes`` get 413 before any route sees them, and every
body is read as JSON.

A pure ASGI middleware: it rejects on ``Content-Length`` at once, and otherwise reads the
body (chunked uploads included) up to the limit, then replays it to the app. The API speaks
JSON only, so a body sent with another ``Content-Type`` (``curl -d`` sends a form type) is
parsed as JSON too: invalid JSON is a 400 whatever the header said.

Example:
    >>> from starlette.applications import Starlette
    >>> app = BodyLimit(Starlette(), max_body_bytes=1024)
    >>> app.max_body_bytes
    1024
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onshore.server.errors import error_body


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        error_body(
            "input.body_too_large",
            f"the request body is over the {limit}-byte limit",
            {"limit": limit},
        )
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuse request bodies over ``max_body_bytes`` with ``413 input.body_too_large``."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await _too_large(send, limit)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _too_large(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body:
            headers = []
            for k, v in scope.get("headers", ()):
                if k == b"content-type":  # kept for routes that take raw bodies (CSV)
                    scope.setdefault("state", {})["content_type"] = v.decode("latin-1")
                else:
                    headers.append((k, v))
            scope["headers"] = [*headers, (b"content-type", b"application/json")]
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
