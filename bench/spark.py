"""The Spark engine's throughput: ``onshore scan --engine spark`` on ``local[2]`` vs the local
engine on the same Parquet file, ratio in the same run; and, with ``--lake-gb``, a Parquet
lake of that size scanned with Spark.

The file is ``bench/scan.py``'s generated users (5 columns: name, phone, e-mail, CCCD, IP;
fictitious). The local engine runs with as many worker processes as Spark has task slots
(``local[2]``: 2) and writes JSON Lines; Spark writes Parquet partitions. The Spark session
is started (and warmed with a small scan) before the clock starts; its start-up time is
printed apart. The lake is the generated file hard-linked ``N`` times under one directory
(each link is a file for Spark; the data repeats, the disk holds it once, so reading comes
from the page cache and the figure is the classification's). Findings of the lake go to a
temporary directory, deleted afterwards.

Usage: ``.venv/bin/python bench/spark.py [--quick] [--rows N] [--master local[2]]
[--lake-gb 10] [--file-rows 1000000]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scan import generate

from onshore.services.runtime.spark_engine import spark_scan, spark_session
from onshore.services.scan import ScanOptions, scan


def _slots(master: str) -> int:
    inside = master.partition("[")[2].rstrip("]")
    return int(inside) if inside.isdigit() else os.cpu_count() or 1


def local_engine(path: Path, out: Path, workers: int) -> tuple[float, int]:
    """Seconds and findings of the local engine over ``path`` (JSON Lines to ``out``)."""
    started = time.perf_counter()
    with out.open("wb") as fh:
        summary = scan([str(path)], fh, ScanOptions(workers=workers, batch_rows=1 << 16))
    return time.perf_counter() - started, summary.findings


def spark_engine(
    spark: object, paths: list[str], out: Path, fmt: str = "parquet"
) -> tuple[float, int, int]:
    """Seconds, rows and findings of the Spark engine (partitions under ``out``)."""
    started = time.perf_counter()
    options = ScanOptions(batch_rows=1 << 13)
    summary = spark_scan(paths, out, options, spark=spark, fmt=fmt)  # type: ignore[arg-type]
    return time.perf_counter() - started, summary.rows, summary.findings


def lake(spark: object, source: Path, tmp: Path, gigabytes: float, fmt: str) -> None:
    """Link ``source`` into a lake of about ``gigabytes`` and scan it with Spark."""
    size = source.stat().st_size
    copies = max(1, round(gigabytes * 1e9 / size))
    folder = tmp / "lake"
    folder.mkdir()
    for i in range(copies):
        os.link(source, folder / f"part-{i:05d}.parquet")
    total = size * copies / 1e9
    print(f"lake: {copies} Parquet files, {total:.2f} GB (one generated file linked)")
    seconds, rows, findings = spark_engine(spark, [str(folder)], tmp / "lake-out", fmt)
    print(
        f"spark lake scan        : {rows / seconds:12,.0f} rows/s, {total / seconds * 1e3:.1f} MB/s"
        f" ({seconds:.1f} s, {rows:,} rows, {findings:,} findings)"
    )
    shutil.rmtree(tmp / "lake-out", ignore_errors=True)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="200k rows instead of 1M")
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--lake-gb", type=float, default=0.0, help="also scan a lake this big")
    parser.add_argument("--file-rows", type=int, default=1_000_000, help="rows per lake file")
    parser.add_argument("--format", default="parquet", choices=["parquet", "jsonl"])
    args = parser.parse_args()
    rows = args.rows or (200_000 if args.quick else 1_000_000)
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    started = time.perf_counter()
    spark = spark_session(args.master)
    print(f"spark session ({args.master}) started in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory(prefix="onshore-bench-spark-") as name:
        tmp = Path(name)
        path = tmp / "users.parquet"
        generate(path, rows)
        print(f"generated {rows:,} rows x 5 columns ({path.stat().st_size / 1e6:.1f} MB)")
        warm = tmp / "warm.parquet"
        generate(warm, 1000)
        spark_engine(spark, [str(warm)], tmp / "warm-out")
        workers = _slots(args.master)
        t_local, f_local = local_engine(path, tmp / "findings.jsonl", workers)
        t_spark, r_spark, f_spark = spark_engine(spark, [str(path)], tmp / "spark-out", args.format)
        assert r_spark == rows, (r_spark, rows)
        assert f_spark == f_local, (f_spark, f_local)
        local_rate, spark_rate = rows / t_local, rows / t_spark
        print(
            f"local engine ({workers} workers): {local_rate:12,.0f} rows/s"
            f" ({t_local:.2f} s, {f_local:,} findings)"
        )
        print(
            f"spark engine ({args.master}, {args.format}): {spark_rate:12,.0f} rows/s"
            f" ({t_spark:.2f} s, {f_spark:,} findings)"
        )
        print(f"ratio spark/local: {spark_rate / local_rate:.2f}x (same findings count)")
        if args.lake_gb > 0:
            source = path
            if args.file_rows != rows:
                source = tmp / "lake-file.parquet"
                generate(source, args.file_rows)
            lake(spark, source, tmp, args.lake_gb, args.format)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
