"""Audience ingest throughput: rows/s of ``AudienceService.ingest_file`` on a generated
metrics CSV, against DuckDB reading the same file into a table in the same run.

    .venv/bin/python bench/audience.py            # 1,000,000 rows
    .venv/bin/python bench/audience.py --quick    # 200,000 rows
    .venv/bin/python bench/audience.py --postgres postgresql://...   # also a PostgreSQL region

The file is generated in a temporary directory and deleted afterwards (never committed).
Ingest includes parsing and checking every row, the sorted bulk write into the region's
store in one transaction, and the threshold pass (about 1 in 10,000 rows crosses 10,000
subscribers). Goal: >= 0.3x DuckDB's rows/s. The machine's load (``os.getloadavg``) is
printed with the figures: on a loaded machine both sides slow down, the single-threaded
store write more than DuckDB's parallel read.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.services.audience import AudienceService
from onshore.services.runtime import open_runtime
from onshore.settings import Settings, default_config_dict

#: The goal: ingest at least this fraction of DuckDB's own ``read_csv`` rows/s.
GOAL = 0.3


def generate(path: Path, rows: int) -> None:
    """A day's metrics file: ``rows`` accounts, most small, one in 10,000 above 10k."""
    duckdb.sql(f"""COPY (SELECT 'acct-' || i AS subject_id, 'account' AS subject_type,
        'VN' AS country, '2026-11-20' AS date,
        CASE WHEN i % 10000 = 7 THEN 10001 + i % 5000 ELSE (i * 7919) % 9000 END AS subscribers,
        (i * 104729) % 50000 AS monthly_visits, i % 11 = 0 AS livestreaming,
        i % 13 = 0 AS monetised FROM range({rows}) t(i)) TO '{path}' (HEADER)""")


def settings_for(base: Path, vn_store: str) -> Settings:
    cfg = default_config_dict()
    cfg["base_dir"] = str(base)
    cfg["regions"]["vn-hcm"]["store"] = vn_store
    cfg["regions"]["sg-1"]["store"] = "memory://"
    for r in cfg["regions"].values():
        r.pop("objects", None)
    return Settings.model_validate(cfg)


def ingest(base: Path, store: str, path: Path) -> tuple[float, int, int]:
    rt = open_runtime(
        settings_for(base, store),
        create_keys=True,
        clock=FixedClock(datetime(2026, 11, 21, tzinfo=UTC)),
    )
    try:
        svc = AudienceService(rt, registry=CollectorRegistry())
        t = time.perf_counter()
        report = svc.ingest_file(path)
        seconds = time.perf_counter() - t
        assert report.applied and report.bad == 0, report.bad_rows[:3]
        return seconds, report.inserted, len(report.opened)
    finally:
        rt.close()


def main() -> None:
    """Run the benchmark and print rows/s and the ratio to DuckDB."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="200,000 rows instead of 1,000,000")
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--postgres", default=None, help="also ingest into this PostgreSQL URL")
    args = ap.parse_args()
    rows = args.rows or (200_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        path = base / "metrics.csv"
        t = time.perf_counter()
        generate(path, rows)
        print(
            f"generated {rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in "
            f"{time.perf_counter() - t:.1f} s"
        )
        con = duckdb.connect()
        t = time.perf_counter()
        con.execute(f"CREATE TABLE m AS SELECT * FROM read_csv('{path}')")
        duck = time.perf_counter() - t
        con.close()
        print(f"duckdb read_csv -> table : {rows / duck:>12,.0f} rows/s ({duck:.2f} s)")
        targets = [("sqlite", f"sqlite:///{base}/vn.db")]
        if args.postgres:
            targets.append(("postgres", args.postgres))
        for name, store in targets:
            seconds, inserted, opened = ingest(base, store, path)
            assert inserted == rows
            ratio = duck / seconds
            print(
                f"onshore ingest ({name:8}): {rows / seconds:>12,.0f} rows/s ({seconds:.2f} s, "
                f"{opened} obligations opened)  ratio {ratio:.2f}x: goal >= 0.3x "
                f"{'met' if ratio >= GOAL else 'NOT met'}"
            )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"load average (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
