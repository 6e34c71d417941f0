r"""An open-loop HTTP/1.1 load generator for the API benchmarks (``bench/api.py``).

Requests are pre-encoded and distinct, sent over a fixed pool of keep-alive connections
(asyncio streams) at a fixed rate, and timed from each request's scheduled send time, so a
slow server cannot hide its queue (no coordinated omission). Also the helpers that read the
results: percentiles and a process's CPU seconds.

Example:
    >>> pct([0.010, 0.020, 0.030, 0.040], 50)
    0.02
    >>> encode_requests("h:1", {}, [{"a": 1}])[0].endswith(b'\r\n\r\n{"a": 1}')
    True
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any


def encode_requests(
    host: str, headers: dict[str, str], bodies: list[dict[str, Any]]
) -> list[bytes]:
    """Each body as one complete, pre-encoded ``POST /v1/records`` HTTP/1.1 request."""
    head = f"POST /v1/records HTTP/1.1\r\nHost: {host}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items()
    )
    out = []
    for body in bodies:
        payload = json.dumps(body).encode()
        out.append(
            (
                head + f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
            ).encode()
            + payload
        )
    return out


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response; ``(status, keep_alive)``."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    fields = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            fields[name.strip().lower()] = value.strip().lower()
    if fields.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(int(fields.get("content-length", "0")))
    return status, fields.get("connection") != "close"


async def fixed_rate(
    host: str,
    port: int,
    headers: dict[str, str],
    bodies: list[dict[str, Any]],
    rate: float,
    connections: int = 16,
    grace: float = 30.0,
) -> tuple[list[float], int, float, float]:
    """Open loop over a fixed pool of keep-alive connections: request ``i`` is due at
    ``i / rate`` s; each of ``connections`` workers takes the next request when it is free,
    waits for its due time and sends it, so at most ``connections`` are outstanding. Latency
    runs from the due time to the end of the response (time spent waiting for a free
    connection behind a slow server counts: no coordinated omission). Requests are distinct
    and pre-encoded, so the generator spends little CPU; the run stops ``grace`` s after
    the last due time (unsent or unanswered requests then count as failures). Returns the
    latencies (s) of 201 responses, the number of failures, the achieved rate and the
    generator's CPU seconds per request."""
    requests = encode_requests(f"{host}:{port}", headers, bodies)
    latencies: list[float] = []
    failures = 0
    next_index = 0
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05
    deadline = start + len(requests) / rate + grace

    async def worker() -> None:
        nonlocal next_index, failures
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while next_index < len(requests):
                i = next_index
                next_index += 1
                if loop.time() > deadline:
                    failures += 1
                    continue
                due = start + i / rate
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                try:
                    if conn is None:
                        conn = await asyncio.open_connection(host, port)
                    reader, writer = conn
                    writer.write(requests[i])
                    status, keep = await asyncio.wait_for(
                        read_response(reader), max(0.001, deadline - loop.time())
                    )
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                    failures += 1
                    status, keep = 0, False
                if status == 201:
                    latencies.append(loop.time() - due)
                elif status:
                    failures += 1
                if not keep and conn is not None:
                    conn[1].close()
                    conn = None
        finally:
            if conn is not None:
                conn[1].close()

    cpu = time.process_time()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = loop.time() - start
    return latencies, failures, len(bodies) / elapsed, (time.process_time() - cpu) / len(bodies)


def run(coro: Any) -> Any:
    """Run ``coro`` to completion on uvloop when it is installed (asyncio otherwise)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        return asyncio.run(coro)
    return uvloop.run(coro)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux ``/proc``), or NaN."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]
