"""Benchmark: the HTTP API against a bare FastAPI endpoint over the same vault, same run.

One server process (uvicorn, loopback) serves two apps over ONE open vault (same SQLite
stores):

- ``/v1/records/batch`` and ``/v1/records``: the real app (``create_app``): bearer-token
  check, an ``access_decision`` ledger leaf per request, pydantic models with unknown fields
  rejected, body limit, request id, metrics, JSON access log;
- ``/bare/batch``: a bare FastAPI endpoint that parses the JSON body and hands the same rows
  to ``Vault.put_many``: no auth, no validation model, no middleware.

It prints records/s through each batch endpoint and their ratio (goal >= 0.5), then the
p50/p99 latency of single-record writes sent at a fixed 200 requests/s by an open-loop
generator over a fixed pool of 16 keep-alive HTTP/1.1 connections (asyncio streams,
pre-encoded distinct requests, latency from each request's scheduled send time; goal p99 <
50 ms), with the CPU the server and the generator spend per request.

Last, starvation: the same light writes at the same rate, once quiet and once while heavy
requests (records just under ``max_record_bytes``, ~250 KB of text for the classifier) are
sent back to back on another connection; it prints both p99s and their ratio (goal: within
a few times, i.e. one heavy request does not starve the others).

    .venv/bin/python bench/api.py            # 20 batches of 500 per side, 15 s at 200 req/s
    .venv/bin/python bench/api.py --quick    # 4 batches of 250 per side, 4 s at 200 req/s
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from bench.support.loadgen import cpu_seconds, fixed_rate, pct, run  # noqa: E402
from fastapi import Request  # noqa: E402
from starlette.types import Receive, Scope, Send  # noqa: E402

from onshore.services.demo import demo_records, generate_users  # noqa: E402
from onshore.settings import DEFAULT_TOML, load_settings  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(directory: Path, port: int) -> None:
    """The child: both apps behind one dispatcher, one vault, uvicorn on ``port``."""
    import uvicorn
    from fastapi import FastAPI
    from fastapi.concurrency import run_in_threadpool

    from onshore.cli.serve import SWITCH_INTERVAL_S
    from onshore.server.app import create_app
    from onshore.server.logs import configure
    from onshore.services.runtime import open_tokens
    from onshore.services.vault import Vault

    sys.setswitchinterval(SWITCH_INTERVAL_S)  # as `onshore serve` does
    settings = load_settings(directory / "onshore.toml", env={})
    vault = Vault.open(settings)
    tokens = open_tokens(settings, vault.runtime.clock)
    ours = create_app(settings, vault=vault, tokens=tokens)
    bare = FastAPI()

    @bare.post("/bare/batch", status_code=201)
    async def bare_batch(request: Request) -> dict[str, Any]:
        rows = json.loads(await request.body())["records"]
        receipts = await run_in_threadpool(vault.put_many, rows, actor="bench")
        return {
            "count": len(receipts),
            "receipts": [
                {"record_id": r.record_id, "region": r.region, "ledger_index": r.ledger_index}
                for r in receipts
            ],
        }

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        app = bare if scope.get("path", "").startswith("/bare/") else ours
        await app(scope, receive, send)

    import logging

    from onshore.server.logs import JsonFormatter

    configure("warning")
    # The real app's JSON access log stays on (formatted and written, to /dev/null).
    access = logging.getLogger("onshore.server.access")
    sink = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115
    sink.setFormatter(JsonFormatter())
    access.handlers = [sink]
    access.setLevel("INFO")
    access.propagate = False
    uvicorn.run(
        dispatch,
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        log_level="warning",
        ws="none",
    )


def setup(directory: Path) -> str:
    """Write the embedded default config, create keys, return an operator token."""
    from onshore.services.runtime import open_runtime, open_tokens

    (directory / "onshore.toml").write_text(DEFAULT_TOML, encoding="utf-8")
    settings = load_settings(directory / "onshore.toml", env={})
    runtime = open_runtime(settings, create_keys=True)
    runtime.close()
    tokens = open_tokens(settings, runtime.clock)
    try:
        return tokens.create("bench", "operator").secret
    finally:
        tokens.close()


def rows(n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` demo records as JSON bodies (profiles, logins, friend lists)."""
    out = []
    for r in demo_records(generate_users(n // 3 + 1, seed=seed))[:n]:
        out.append(
            {
                "subject": r.subject,
                "kind": r.kind,
                "data": dict(r.data),
                "signals": dict(r.signals or {}),
                "record_id": r.record_id,
            }
        )
    return out


async def batch_rate(base: str, path: str, headers: dict[str, str], batches: list[Any]) -> float:
    """records/s pushing ``batches`` one after another through ``path``."""
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as c:
        total = 0
        started = time.perf_counter()
        for batch in batches:
            r = await c.post(path, content=json.dumps({"records": batch}))
            assert r.status_code == 201, (path, r.status_code, r.text[:300])
            total += len(batch)
        return total / (time.perf_counter() - started)


def heavy_body(size: int = 250_000, seed: int = 5) -> dict[str, Any]:
    """A record just under the default 256 KiB limit: four ~60k-character text fields with
    names, phone numbers and emails sprinkled in (real classifier work)."""
    import random

    rnd = random.Random(seed)
    words = ["lorem", "ipsum", "Nguyễn", "Văn", "An", "call", "me", "at", "street", "district"]
    fields: dict[str, str] = {}
    per_field = size // 4 - 1_000
    for f in range(4):
        parts: list[str] = []
        length = 0
        while length < per_field:
            r = rnd.random()
            word = (
                f"+8491{rnd.randrange(10**7):07d}"
                if r < 0.02
                else f"user{rnd.randrange(10**6)}@example.vn"
                if r < 0.04
                else rnd.choice(words)
            )
            parts.append(word)
            length += len(word) + 1
        fields[f"notes_{f}"] = " ".join(parts)[:per_field]
    return {
        "subject": "heavy-subject",
        "kind": "notes",
        "data": fields,
        "signals": {"phone_number": "+84912345678"},
    }


async def heavy_loop(base: str, headers: dict[str, str], stop: asyncio.Event) -> list[float]:
    """Send heavy records one after another until ``stop``; returns their durations (s)."""
    body = json.dumps(heavy_body()).encode()
    took: list[float] = []
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=300) as c:
        while not stop.is_set():
            started = time.perf_counter()
            r = await c.post("/v1/records", content=body)
            assert r.status_code == 201, (r.status_code, r.text[:300])
            took.append(time.perf_counter() - started)
    return took


async def under_load(
    host: str,
    port: int,
    base: str,
    headers: dict[str, str],
    bodies: list[dict[str, Any]],
    rate: float,
) -> tuple[tuple[list[float], int, float, float], list[float]]:
    """``fixed_rate`` with heavy requests in flight the whole time."""
    stop = asyncio.Event()
    heavy = asyncio.ensure_future(heavy_loop(base, headers, stop))
    await asyncio.sleep(0.5)  # the first heavy request is in flight
    try:
        light = await fixed_rate(host, port, headers, bodies, rate)
    finally:
        stop.set()
    return light, await heavy


def starvation(port: int, base: str, headers: dict[str, str], rate: float, seconds: float) -> None:
    """Light-write p99 quiet and with heavy requests in flight, and their ratio."""
    quiet_bodies = rows(int(rate * seconds), seed=400)
    loaded_bodies = rows(int(rate * seconds), seed=500)
    for i, body in enumerate(quiet_bodies):
        body["record_id"] = f"quiet-{i}"
    for i, body in enumerate(loaded_bodies):
        body["record_id"] = f"loaded-{i}"
    quiet, q_fail, _, _ = run(fixed_rate("127.0.0.1", port, headers, quiet_bodies, rate))
    (loaded, l_fail, achieved, _), heavy = run(
        under_load("127.0.0.1", port, base, headers, loaded_bodies, rate)
    )
    print(
        f"light writes at {rate:.0f} req/s for {seconds} s, quiet vs with one heavy "
        f"request (~250 KB record) always in flight ({len(heavy)} heavy done, median "
        f"{statistics.median(heavy) * 1000 if heavy else float('nan'):.0f} ms each):"
    )
    if quiet and loaded:
        q99, l99 = pct(quiet, 99), pct(loaded, 99)
        print(
            f"  quiet  p50 {pct(quiet, 50) * 1000:6.1f} ms   p99 {q99 * 1000:6.1f} ms   "
            f"({q_fail} failed)"
        )
        print(
            f"  loaded p50 {pct(loaded, 50) * 1000:6.1f} ms   p99 {l99 * 1000:6.1f} ms   "
            f"({l_fail} failed, achieved {achieved:.0f} req/s)"
        )
        print(f"  ratio loaded/quiet p99 : {l99 / q99:9.2f}   (goal: within a few times)")


def main() -> None:
    """Run the benchmark (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small, fast run")
    parser.add_argument(
        "--rate", type=float, default=200.0, help="single-write request rate (default 200/s)"
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    n_batches, batch_size, seconds = (4, 250, 4) if args.quick else (20, 500, 15)
    rate = args.rate
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        token = setup(directory)
        port = _free_port()
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(directory), "--port", str(port)],
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            headers = {"Authorization": f"Bearer {token}"}
            # warm-up (imports, caches, SQLite pages) on both paths, not measured
            warm = rows(200, seed=1)
            run(batch_rate(base, "/v1/records/batch", headers, [warm[:100]]))
            run(batch_rate(base, "/bare/batch", {}, [warm[100:]]))
            ours_rates: list[float] = []
            bare_rates: list[float] = []
            rounds = 2 if args.quick else 3
            for rnd in range(rounds):  # alternate who goes first: the store grows meanwhile
                mine = rows(n_batches * batch_size, seed=100 + rnd)
                theirs = rows(n_batches * batch_size, seed=200 + rnd)
                ours_split = [mine[i : i + batch_size] for i in range(0, len(mine), batch_size)]
                bare_split = [theirs[i : i + batch_size] for i in range(0, len(theirs), batch_size)]
                order = [("ours", ours_split), ("bare", bare_split)]
                for side, split in order if rnd % 2 == 0 else order[::-1]:
                    if side == "ours":
                        ours_rates.append(
                            run(batch_rate(base, "/v1/records/batch", headers, split))
                        )
                    else:
                        bare_rates.append(run(batch_rate(base, "/bare/batch", {}, split)))
            ours, bare = statistics.median(ours_rates), statistics.median(bare_rates)
            print(
                f"batch writes ({n_batches} x {batch_size} records, median of {rounds} "
                "alternating rounds, SQLite):"
            )
            print(f"  API  /v1/records/batch : {ours:9.0f} records/s")
            print(f"  bare FastAPI endpoint  : {bare:9.0f} records/s")
            print(f"  ratio API/bare         : {ours / bare:9.2f}   (goal >= 0.5)")
            singles = rows(int(rate * seconds), seed=300)
            for i, body in enumerate(singles):
                body["record_id"] = f"lat-{i}"
            cpu0, load0 = cpu_seconds(child.pid), os.getloadavg()[0]
            lat, failures, achieved, gen_cpu = run(
                fixed_rate("127.0.0.1", port, headers, singles, rate)
            )
            server_cpu = (cpu_seconds(child.pid) - cpu0) / len(singles)
            print(
                f"single writes at {rate:.0f} req/s for {seconds} s "
                f"(achieved {achieved:.0f} req/s, {failures} failed):"
            )
            if lat:
                print(
                    f"  p50 {pct(lat, 50) * 1000:6.1f} ms   p99 {pct(lat, 99) * 1000:6.1f} ms"
                    f"   max {max(lat) * 1000:6.1f} ms   (goal p99 < 50 ms)"
                )
            print(
                f"  server CPU per write {server_cpu * 1000:.2f} ms; load generator CPU per "
                f"request {gen_cpu * 1000:.2f} ms; machine load average "
                f"{load0:.1f} on {os.cpu_count()} CPUs"
            )
            starvation(port, base, headers, rate, seconds)
        finally:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()


if __name__ == "__main__":
    main()
