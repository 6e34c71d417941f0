"""Malformed HTTP against a real ``onshore serve``: a huge header is refused with 431 before
it is buffered, a request the parser refuses gets 400, both in the one JSON error shape; a
client that disconnects mid-body is not counted as a server error."""

from __future__ import annotations

import json
import socket
import time

import httpx

from tests.server.live import LiveServer


def _exchange(live: LiveServer, payload: bytes, *, chunk: int = 64 * 1024) -> bytes:
    """Send ``payload`` (stopping when the server closes) and read the whole answer."""
    host, port = live.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        try:
            for start in range(0, len(payload), chunk):
                sock.sendall(payload[start : start + chunk])
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-upload: the answer is already waiting
        answer = b""
        try:
            while data := sock.recv(65536):
                answer += data
        except ConnectionResetError:
            pass
    return answer


def _json_error(answer: bytes, status: int, code: str) -> None:
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0].startswith(f"HTTP/1.1 {status} ".encode()), head[:200]
    assert b"content-type: application/json" in head.lower()
    error = json.loads(body)["error"]
    assert error["code"] == code and set(error) == {"code", "message", "details"}


def test_protocol_errors_are_json_and_heads_are_bounded(live: LiveServer) -> None:
    huge = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (16 * 1024 * 1024) + b"\r\n\r\n"
    _json_error(_exchange(live, huge), 431, "input.header_too_large")

    _json_error(_exchange(live, b"GARBAGE\x00 / HTTP/1.1\r\n\r\n"), 400, "input.bad_request")
    _json_error(
        _exchange(live, b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"),
        400,
        "input.bad_request",
    )

    host, port = live.base.removeprefix("http://").split(":")
    token = live.tokens["operator"]
    partial = (
        f"POST /v1/records HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"'
    ).encode()
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(partial)
    with httpx.Client(base_url=live.base, timeout=30) as c:
        assert c.get("/healthz").status_code == 200  # still serving
        deadline = time.monotonic() + 10
        metrics = ""
        while time.monotonic() < deadline:
            metrics = c.get("/metrics").text
            if 'route="/v1/records"' in metrics or 'status="499"' in metrics:
                break
            time.sleep(0.1)
    lines = [
        line for line in metrics.splitlines() if line.startswith("onshore_http_requests_total")
    ]
    assert not [line for line in lines if 'status="500"' in line], lines
    assert [line for line in lines if 'status="499"' in line], lines
