"""Benchmark: the console's queue and case pages at 100,000 cases, against the JSON API.

For SQLite and for PostgreSQL (a throwaway cluster, as the tests start), it seeds 100,000
takedown cases into one region (``CaseService.open_many`` in batches of 1,000: each case
with its history event and its ledger leaf, as ``open`` writes them; nothing is kept), then
serves the real app (``create_app``) in process and measures the server time of

- the takedown queue, first page and a deep keyset page (about 90% of the way down);
- one case page (a case with a few steps of history, its clock and its ledger entries);
- the same data through the JSON API (``GET /v1/cases/takedowns`` with the same page size,
  first and 90% of the way down its case-id order, ``GET /v1/cases/takedowns/<id>``).

Server time is measured by an ASGI wrapper around the app, from the request's arrival to
the last byte of the answer (no network, no client). It prints p50 and p95 per page, the
goal (p95 < 150 ms) and each page's p95 as a ratio to the JSON call that fetches the same
data.

    .venv/bin/python bench/console.py             # 100,000 cases, 200 requests per page
    .venv/bin/python bench/console.py --quick     # 10,000 cases, 40 requests per page
    .venv/bin/python bench/console.py --no-postgres
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from prometheus_client import CollectorRegistry  # noqa: E402

from onshore.core.cases.listing import encode_cursor  # noqa: E402
from onshore.core.identity import Principal, host_administrator  # noqa: E402
from onshore.server.app import create_app  # noqa: E402
from onshore.services.case_steps import Opening  # noqa: E402
from onshore.services.runtime import open_runtime  # noqa: E402
from onshore.services.takedowns import TakedownService  # noqa: E402
from onshore.settings import Settings, default_config_dict  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's httpx-based TestClient warns; it works
    from fastapi.testclient import TestClient

GOAL_MS = 150.0
#: Deadlines spread over this many minutes, starting this many minutes ago (some breached).
SPREAD_MIN, LATE_MIN = 20_000, 2_000
PASSWORD = "bench-password-0123"
NOTICE: dict[str, Any] = {
    "reason": "advertises unlicensed online gambling",
    "content": [{"url": "https://social.example/p/1", "content_type": "CONTENT_TYPE_VIDEO"}],
    "sender": {"name": "ABEI", "kind": "authority", "email": "n@abei.example", "country": "VN"},
    "jurisdictions": ["VN"],
    "reference": "CV-0",
    "legal_basis": "Decree 147/2024/ND-CP",
}
Scope = MutableMapping[str, Any]
Asgi = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Any]


class Timed:
    """An ASGI wrapper that records each request's server time (arrival to last byte)."""

    def __init__(self, app: Asgi) -> None:
        self.app = app
        self.last = 0.0

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.last = time.perf_counter() - start

        await self.app(scope, receive, timed_send)


def settings_for(base: Path, vn: str, sg: str) -> Settings:
    """The embedded default with its two regions on ``vn`` and ``sg``."""
    cfg = default_config_dict()
    cfg["regions"]["vn-hcm"]["store"] = vn
    cfg["regions"]["sg-1"]["store"] = sg
    cfg["base_dir"] = str(base)
    return Settings.model_validate(cfg)


def seed(settings: Settings, n: int, batch: int) -> tuple[float, str, str]:
    """``n`` takedown cases in vn-hcm: seconds taken, the id of one worked a few steps, and
    the queue's cursor (deadline order, run ``d``) 90% of the way down (deadlines spread
    evenly over ``SPREAD_MIN`` minutes from ``-LATE_MIN``)."""
    runtime = open_runtime(settings, create_keys=True)
    try:
        svc = TakedownService(runtime, registry=CollectorRegistry())
        clerk = Principal("user", "bench", "bench", frozenset({"operator", "legal_reviewer"}))
        first = svc.receive(source="authority_order", notice=NOTICE, principal=clerk)
        for action in ("validate", "triage", "legal_review"):
            svc.act(first.case_id, action, principal=clerk)
        template, now = first.data, runtime.clock.now()
        start = time.perf_counter()
        for b in range(1, n, batch):
            openings = []
            for i in range(b, min(b + batch, n)):
                data = {**template, "notice": {**template["notice"], "reference": f"CV-{i}"}}
                due = now + timedelta(minutes=(i * 7919) % SPREAD_MIN - LATE_MIN)
                openings.append(Opening("takedown", data, due_at=due))
            svc.cases.open_many(first.region, openings, principal=clerk)
        deep = now + timedelta(minutes=0.9 * SPREAD_MIN - LATE_MIN)
        return time.perf_counter() - start, first.case_id, "d~" + encode_cursor("due_at", deep, "")
    finally:
        runtime.close()


def sample(client: TestClient, timer: Timed, url: str, n: int, **kw: Any) -> list[float]:
    """Server times (ms) of ``n`` GETs of ``url`` (after two warm-up requests)."""
    times = []
    for i in range(n + 2):
        r = client.get(url, **kw)
        if r.status_code != 200:
            raise SystemExit(f"GET {url}: {r.status_code} {r.text[:300]}")
        if i >= 2:
            times.append(timer.last * 1000)
    return times


def p(times: list[float], q: int) -> float:
    """The ``q``-th percentile of ``times``."""
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1]


def measure(label: str, settings: Settings, n: int, samples: int, batch: int) -> bool:
    """Seed, serve, measure and print one backend's figures; whether the goal holds."""
    took, case_id, deep = seed(settings, n, batch)
    print(f"{label:8s} seeded {n:,} cases in {took:.1f} s ({n / took:,.0f} cases/s)")
    app = create_app(settings)
    timer = Timed(app)
    ok = True
    with TestClient(timer, raise_server_exceptions=True) as client:  # type: ignore[arg-type]
        state = app.state.onshore
        state.users.create(host_administrator("bench"), "lan", ["auditor"], password=PASSWORD)
        signed = client.post("/v1/session", json={"name": "lan", "password": PASSWORD})
        assert signed.status_code in (200, 201), signed.text
        token = state.tokens.create("bench-auditor", "auditor").secret
        api = {"headers": {"Authorization": f"Bearer {token}"}}
        size = QUEUE_PAGE_SIZE
        rows = [
            ("queue, first page", QUEUE, "/v1/cases/takedowns?limit={size}"),
            ("queue, deep page", QUEUE + "?after={deep}", "/v1/cases/takedowns?limit={size}"
             "&cursor={api_deep}"),
            ("case page", CASE, "/v1/cases/takedowns/{case_id}"),
        ]  # fmt: skip  # one row per page: its name, its URL and the JSON call it is compared to
        for name, page_url, api_url in rows:
            values = {
                "deep": quote(deep, safe=""),
                "api_deep": API_DEEP,
                "case_id": case_id,
                "size": size,
            }
            page = sample(client, timer, page_url.format(**values), samples)
            data = sample(client, timer, api_url.format(**values), samples, **api)
            p95, api95 = p(page, 95), p(data, 95)
            ok = ok and p95 < GOAL_MS
            print(
                f"{label:8s} {name:18s}: p50 {p(page, 50):7.1f} ms  p95 {p95:7.1f} ms "
                f"(goal < {GOAL_MS:.0f})   JSON API p50 {p(data, 50):6.1f} ms  "
                f"p95 {api95:6.1f} ms   ratio page/API {p95 / api95:5.2f}"
            )
    return ok


#: The console's pages measured, and the queue's page size (the console's default).
QUEUE = "/console/queues/takedown"
CASE = "/console/cases/takedown/{case_id}"
QUEUE_PAGE_SIZE = 50
#: The JSON listing is in case id order (random hex after the kind): 90% of the way down.
API_DEEP = "takedown-e6666666"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 cases, 40 requests each")
    parser.add_argument("--cases", type=int, default=None)
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()
    n = args.cases or (10_000 if args.quick else 100_000)
    samples = args.samples or (40 if args.quick else 200)
    tmp = Path(tempfile.mkdtemp(prefix="onshore-bench-"))
    try:
        print(f"cases: {n:,}, requests per page: {samples}, server time in process")
        sqlite = settings_for(tmp / "sqlite", f"sqlite:///{tmp}/vn.db", f"sqlite:///{tmp}/sg.db")
        (tmp / "sqlite").mkdir()
        ok = measure("sqlite", sqlite, n, samples, args.batch)
        if not args.no_postgres:
            from tests.support.pgcluster import PgCluster

            cluster = PgCluster()
            try:
                (tmp / "pg").mkdir()
                pg = settings_for(
                    tmp / "pg", cluster.create_database("vn"), cluster.create_database("sg")
                )
                ok = measure("postgres", pg, n, samples, args.batch) and ok
            finally:
                cluster.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # 100,000 cases: nothing is kept
    print(f"goal p95 < {GOAL_MS:.0f} ms on every page: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
