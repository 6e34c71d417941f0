"""The HTTP/1.1 protocol ``onshore serve`` runs: uvicorn's httptools protocol with a limit on
the request line and headers, and protocol errors answered in the one JSON error shape.

uvicorn answers a request it cannot parse with a plain-text 400 and buffers headers without
a limit. ``JsonHttpToolsProtocol`` counts the bytes of a request's head as they arrive and,
past ``max_header_bytes``, answers ``431 input.header_too_large`` and closes the connection
(a 16 MiB header is refused after the first ``max_header_bytes``, never buffered whole); a
malformed request gets ``400 input.bad_request``. Both are JSON. ``protocol_for(limit)``
builds the class uvicorn is given (``uvicorn.Config(http=...)``).

Example:
    >>> cls = protocol_for(65536)
    >>> cls.max_header_bytes
    65536
    >>> error_bytes(431, "input.header_too_large", "too large").split(b"\\r\\n")[0]
    b'HTTP/1.1 431 Request Header Fields Too Large'
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from onshore.server.errors import error_body


def error_bytes(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> bytes:
    """A complete ``Connection: close`` HTTP/1.1 response carrying the one error shape."""
    body = json.dumps(error_body(code, message, details)).encode()
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class JsonHttpToolsProtocol(HttpToolsProtocol):
    """httptools with a head-size limit and JSON protocol errors (see module)."""

    max_header_bytes: int = 64 * 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_bytes = 0

    def on_message_begin(self) -> None:
        """A new request: its head is counted from zero."""
        super().on_message_begin()
        self._in_head = True
        self._head_bytes = 0

    def on_headers_complete(self) -> None:
        """The head is complete: body bytes are not counted against the head limit."""
        self._in_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        """Feed the parser, then refuse a head that has grown past the limit."""
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        over = self._in_head and self._head_bytes > self.max_header_bytes
        if over and self.transport is not None and not self.transport.is_closing():
            limit = self.max_header_bytes
            self.logger.warning("request head over the limit")
            self.transport.write(
                error_bytes(
                    431,
                    "input.header_too_large",
                    f"the request line and headers are over the {limit}-byte limit",
                    {"limit": limit},
                )
            )
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """A request the parser refused: ``400 input.bad_request`` in the one shape."""
        self.transport.write(error_bytes(400, "input.bad_request", "malformed HTTP request"))
        self.transport.close()


def protocol_for(max_header_bytes: int) -> type[JsonHttpToolsProtocol]:
    """The protocol class with ``max_header_bytes`` as its head limit."""
    return type(
        "JsonHttpToolsProtocol", (JsonHttpToolsProtocol,), {"max_header_bytes": max_header_bytes}
    )
