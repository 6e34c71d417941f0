"""The per-request deadline: a request not answered within ``request_timeout`` seconds gets
``504 server.timeout`` in the one error shape.

Routes run their synchronous work (classification, sealing, database writes) on worker
threads, which cannot be interrupted. So the request runs as its own task; when the
deadline passes before the response has started, the client is answered 504 at once and
the task is left to finish on its own (whatever it sends afterwards is dropped, and its
outcome is logged). A write may therefore still be applied after its 504: the error says
so, and a retry with the same ``record_id`` is idempotent. A response that has already
started is not cut short.

Example:
    >>> from starlette.applications import Starlette
    >>> Deadline(Starlette(), seconds=5.0).seconds
    5.0
"""

from __future__ import annotations

import asyncio
import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onshore.server.errors import error_body, log_unexpected

log = logging.getLogger("onshore.server")


class Deadline:
    """Answer ``504 server.timeout`` when a request outlives ``seconds`` (see module)."""

    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds
        self._late: set[asyncio.Task[None]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        timed_out = False

        async def guarded(message: Message) -> None:
            nonlocal started
            if timed_out:
                return  # the client already has its 504
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, guarded))
        try:
            await asyncio.wait_for(asyncio.shield(task), self.seconds)
            return
        except TimeoutError:
            if started:  # a response is under way: let it finish
                await task
                return
        timed_out = True
        self._late.add(task)
        task.add_done_callback(self._finished_late)
        request_id = str(scope.get("state", {}).get("request_id", ""))
        log.warning(
            "request deadline exceeded",
            extra={"request_id": request_id, "timeout_s": self.seconds},
        )
        body = json.dumps(
            error_body(
                "server.timeout",
                f"the request was not answered within {self.seconds:g} s; a write may still "
                "be applied: retry it with the same record_id",
                {"timeout_s": self.seconds},
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 504,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _finished_late(self, task: asyncio.Task[None]) -> None:
        self._late.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log_unexpected(exc, "late")
