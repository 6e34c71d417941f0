"""Benchmark: ``onshore import`` (the service, in batches) against ``COPY``, in the same run.

A users table of synthetic users (a third Vietnamese: +84 phones, VN) is written to a
throwaway PostgreSQL cluster with ``COPY`` (the baseline: the same rows into a plain table)
and to a Parquet file. Each import then runs in a child process of its own (so its peak RSS
is the import's, not this script's copy of the rows), into two fresh PostgreSQL region
databases of the same cluster, with ``run_import`` (``services.table_import``: the reader,
the mapping, ``Vault.put_many`` with residency, sealing, blind indexes and ledger leaves, the
progress record after every batch). It prints rows/s of each import, the ratio to ``COPY``,
each child's peak RSS (and, for memory being bounded, the peak of a run ten times smaller),
and the time to onshore 1,000,000 users: measured with ``--full``, otherwise extrapolated
from the measured rate (and said so).

    .venv/bin/python bench/import.py            # 20,000 users
    .venv/bin/python bench/import.py --quick    # 4,000 users
    .venv/bin/python bench/import.py --full     # 1,000,000 users (long)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

COLUMNS = ("user_id", "full_name", "phone", "email", "country")
MILLION = 1_000_000


def rows(n: int) -> Iterator[tuple[str, str, str, str, str]]:
    """``n`` synthetic users, every third Vietnamese (generated, never held all at once)."""
    for i in range(n):
        vn = i % 3 == 0
        yield (
            f"u{i:08d}",
            f"Nguyễn Văn {i}" if vn else f"Tan Wei {i}",
            f"+849{i % 10:01d}{i:07d}" if vn else f"+659{i:07d}",
            f"user{i}@example.com",
            "VN" if vn else "SG",
        )


def copy_table(url: str, n: int) -> float:
    """``COPY`` ``n`` users into a plain ``users`` table at ``url``; the seconds it took."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE users (user_id TEXT PRIMARY KEY, full_name TEXT, phone TEXT,"
            " email TEXT, country TEXT)"
        )
        start = time.perf_counter()
        with conn.cursor() as cur, cur.copy(f"COPY users ({', '.join(COLUMNS)}) FROM STDIN") as cp:
            for row in rows(n):
                cp.write_row(row)
        return time.perf_counter() - start


def write_parquet(path: Path, n: int, chunk: int = 100_000) -> None:
    """``n`` users as a Parquet file, written in row groups of ``chunk``."""
    schema = pa.schema([(c, pa.string()) for c in COLUMNS])
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[tuple[str, ...]] = []
        for row in rows(n):
            batch.append(row)
            if len(batch) == chunk:
                writer.write_table(
                    pa.Table.from_pylist(
                        [dict(zip(COLUMNS, r, strict=True)) for r in batch], schema
                    )
                )
                batch = []
        if batch:
            writer.write_table(
                pa.Table.from_pylist([dict(zip(COLUMNS, r, strict=True)) for r in batch], schema)
            )


def child(source: str, stores: list[str], base: str, batch: int) -> None:
    """Import ``source`` into a fresh vault (run in a child process); print JSON figures."""
    from onshore.core.identity import host_administrator
    from onshore.core.import_mapping import Mapping
    from onshore.services.runtime.import_progress import open_import_progress_url
    from onshore.services.table_import import ImportOptions, run_import
    from onshore.services.vault import Vault
    from onshore.settings import Settings, default_config_dict

    cfg = default_config_dict()
    cfg["regions"]["vn-hcm"]["store"], cfg["regions"]["sg-1"]["store"] = stores
    cfg["base_dir"] = base
    mapping = Mapping.from_options(
        ["subject=user_id", "phone_number=phone", "address_country=country"]
    )
    log = open_import_progress_url("memory://")
    table = "users" if source.startswith("postgresql") else None
    options = ImportOptions(
        name="users", table=table, batch_size=batch, bad_rows=Path(base) / "bad.jsonl"
    )
    with Vault.open(Settings.model_validate(cfg), create_keys=True) as vault:
        start = time.perf_counter()
        result = run_import(vault, source, mapping, host_administrator("bench"), log, options)
        seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": result.progress.imported,
                "bad": result.progress.bad,
                "regions": dict(result.progress.regions),
                "peak_rss_mb": peak_kb / 1024,
            }
        )
    )


def run_child(source: str, stores: list[str], batch: int) -> dict[str, object]:
    """One import in a child process; its figures."""
    base = tempfile.mkdtemp(prefix="onshore-bench-import-")
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            source,
            "--stores",
            *stores,
            "--base",
            base,
            "--batch",
            str(batch),
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    figures: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4,000 users instead of 20,000")
    parser.add_argument("--full", action="store_true", help="1,000,000 users (measured)")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["parquet", "memory"], help="parts to skip"
    )
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--stores", nargs=2, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--base", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.stores, args.base, args.batch)
        return
    n = args.rows or (MILLION if args.full else 4_000 if args.quick else 20_000)
    small = max(n // 10, args.batch)
    tmp = Path(tempfile.mkdtemp(prefix="onshore-bench-"))
    from tests.support.pgcluster import PgCluster

    say(
        f"users: {n:,}, batch: {args.batch}; load: {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} cores (a loaded machine skews every figure; compare ratios)"
    )
    cluster = PgCluster()
    try:
        copy_rate = n / copy_table(cluster.create_database("baseline"), n)
        say(f"COPY into a plain table: {copy_rate:10,.0f} rows/s (baseline, same run)")
        source = cluster.create_database("source")
        copy_table(source, n)

        def fresh() -> list[str]:
            return [cluster.create_database("vn"), cluster.create_database("sg")]

        pg = run_child(source, fresh(), args.batch)
        pg_rate = report("postgres", pg, n, copy_rate)
        how = (
            "measured"
            if n == MILLION
            else f"EXTRAPOLATED from {n:,} users at the measured rate; --full measures it"
        )
        minutes = MILLION / pg_rate / 60
        say(f"time to onshore 1,000,000 users from postgres: {minutes:.1f} min ({how})")
        if "parquet" not in args.skip:
            write_parquet(tmp / "users.parquet", n)
            report(
                "parquet", run_child(str(tmp / "users.parquet"), fresh(), args.batch), n, copy_rate
            )
        if "memory" not in args.skip:
            small_source = cluster.create_database("small")
            copy_table(small_source, small)
            pg_small = run_child(small_source, fresh(), args.batch)
            say(
                f"peak RSS, {small:,} users from postgres: {pg_small['peak_rss_mb']:.1f} MB "
                f"({n:,} users: {pg['peak_rss_mb']:.1f} MB, "
                f"x{float(pg['peak_rss_mb']) / float(pg_small['peak_rss_mb']):.2f} "  # type: ignore[arg-type]
                f"for x{n / small:.0f} the rows)"
            )
    finally:
        cluster.stop()


def say(line: str) -> None:
    """Print ``line`` at once (a long run's figures appear as they are measured)."""
    print(line, flush=True)


def report(label: str, figures: dict[str, object], n: int, copy_rate: float) -> float:
    """Print one import's figures; its rows/s."""
    assert figures["rows"] == n and figures["bad"] == 0, figures
    rate = n / float(figures["seconds"])  # type: ignore[arg-type]
    say(
        f"import from {label:9}: {rate:10,.0f} rows/s   ratio to COPY {rate / copy_rate:8.4f}"
        f"   peak RSS {figures['peak_rss_mb']:7.1f} MB   regions {figures['regions']}"
    )
    return rate


if __name__ == "__main__":
    main()
