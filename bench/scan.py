"""Scan throughput (rows/s) over a generated 1M-row, 5-column Parquet file vs DuckDB.

The baseline is DuckDB's raw ``regexp_matches`` over the same file in the same run: one
regex per column (the column's PII shape), counting matches, on every core. onshore runs
the full ``onshore scan`` path on every core: column verdicts from a sample, vectorised RE2
kernels for whole-value formats (libphonenumber's Viet Nam patterns, CCCD, e-mail, IPv4),
Python validation once per distinct value elsewhere (names), subject-country inference per
row, and the findings written as JSON Lines.

The data (fictitious) is generated into a temporary directory and deleted afterwards.
Goal: >= 0.35x DuckDB's rows/s (issue 18). Also: a 100,000-column CSV with one row and a
JSON line with 100,000 keys, each scanned in seconds (time linear in cells).
Usage: ``.venv/bin/python bench/scan.py [--quick] [--rows N]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from onshore.adapters.sources import Limits
from onshore.core.classify.vocabulary.vn_names import FAMILY_NAMES
from onshore.services.scan import ScanOptions, default_workers, scan

FAMILY = FAMILY_NAMES[:16]  # the most frequent surnames
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Gia"]
ASCII_GIVEN = [
    "an",
    "binh",
    "cuong",
    "dung",
    "ha",
    "hai",
    "hanh",
    "huong",
    "hung",
    "huy",
    "khoa",
    "lan",
    "linh",
    "long",
    "mai",
    "nam",
    "nga",
    "phong",
    "quan",
    "son",
]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hải",
    "Hạnh",
    "Hương",
    "Hùng",
    "Huy",
    "Khoa",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Quân",
    "Sơn",
    "Thảo",
    "Trang",
    "Trung",
    "Tùng",
    "Uyên",
    "Việt",
    "Vinh",
    "Vy",
    "Yến",
    "Đạt",
]
MOBILE = [
    "90",
    "91",
    "93",
    "94",
    "96",
    "97",
    "98",
    "86",
    "88",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "38",
    "39",
    "70",
    "76",
    "77",
    "78",
    "79",
    "81",
    "82",
    "83",
    "84",
    "85",
    "56",
]
CCCD = ["001", "079", "048", "031", "092", "036", "038", "040", "075", "066"]
DOMAINS = ["gmail.com", "yahoo.com.vn", "example.vn", "outlook.com"]

#: The baseline's regex per column (what a hand-written DuckDB scan would look for).
BASELINE = {
    "ho_ten": r"^(Nguyễn|Trần|Lê|Phạm|Hoàng|Huỳnh|Phan|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý)"
    r"( \S+){1,3}$",
    "so_dien_thoai": r"^(\+84|84|0)[ .-]?(3|5|7|8|9)\d[ .-]?\d{3}[ .-]?\d{3,4}$",
    "email": r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
    "cccd": r"^0\d{2}[0-3]\d{8}$",
    "dia_chi_ip": r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$",
}


def _pick(rng: np.random.Generator, options: list[str], n: int) -> pa.Array:
    return pa.array(np.array(options, dtype=object)[rng.integers(0, len(options), n)], pa.string())


def _digits(rng: np.random.Generator, n: int, width: int) -> pa.Array:
    values = rng.integers(0, 10**width, n, dtype=np.int64)
    return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width, "0")


def generate(path: Path, rows: int, seed: int = 2026) -> None:
    """Write ``rows`` fictitious users (5 string columns) to ``path`` in 64k-row groups."""
    rng = np.random.default_rng(seed)
    writer: pq.ParquetWriter | None = None
    chunk = 1 << 16
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        name = pc.binary_join_element_wise(
            _pick(rng, FAMILY, n), _pick(rng, MIDDLE, n), _pick(rng, GIVEN, n), " "
        )
        phone = pc.binary_join_element_wise(
            _pick(rng, ["0", "+84 ", "84"], n), _pick(rng, MOBILE, n), _digits(rng, n, 7), ""
        )
        email = pc.binary_join_element_wise(
            _pick(rng, ASCII_GIVEN, n),
            _digits(rng, n, 5),
            pa.scalar("@"),
            _pick(rng, DOMAINS, n),
            "",
        )
        cccd = pc.binary_join_element_wise(
            _pick(rng, CCCD, n), _pick(rng, ["0", "1", "2", "3"], n), _digits(rng, n, 8), ""
        )
        octets = [pc.cast(pa.array(rng.integers(1, 255, n)), pa.string()) for _ in range(3)]
        ip = pc.binary_join_element_wise(
            _pick(rng, ["14", "113", "27", "42", "8"], n), *octets, "."
        )
        batch = pa.table(
            {"ho_ten": name, "so_dien_thoai": phone, "email": email, "cccd": cccd, "dia_chi_ip": ip}
        )
        if writer is None:
            writer = pq.ParquetWriter(path, batch.schema)
        writer.write_table(batch)
    if writer is not None:
        writer.close()


def duckdb_baseline(path: Path, threads: int) -> tuple[float, dict[str, int]]:
    """Seconds for DuckDB to count regex matches in every column, and the counts."""
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    selects = ", ".join(
        f"count(*) FILTER (WHERE regexp_matches({col}, '{pattern}')) AS {col}"
        for col, pattern in BASELINE.items()
    )
    query = f"SELECT {selects} FROM read_parquet('{path}')"
    con.execute(query).fetchall()  # warm the file cache
    started = time.perf_counter()
    row = con.execute(query).fetchone()
    seconds = time.perf_counter() - started
    return seconds, dict(zip(BASELINE, row or (), strict=False))


def onshore_scan(path: Path, out: Path, workers: int) -> tuple[float, int]:
    """Seconds for ``onshore scan`` over the file (findings written to ``out``)."""
    started = time.perf_counter()
    with out.open("wb") as fh:
        summary = scan([str(path)], fh, ScanOptions(workers=workers, batch_rows=1 << 16))
    return time.perf_counter() - started, summary.findings


def wide_files(folder: Path, columns: int) -> list[Path]:
    """A CSV with ``columns`` columns and one row, and a JSON line with as many keys; every
    1,000th column holds a phone number under a name that says nothing."""
    names = [f"c{i:06d}" for i in range(columns)]
    values = [f"09{i % 100_000_000:08d}" if i % 1000 == 0 else f"v{i}" for i in range(columns)]
    csv_path, jsonl_path = folder / "wide.csv", folder / "wide.jsonl"
    csv_path.write_text(",".join(names) + "\n" + ",".join(values) + "\n", encoding="utf-8")
    jsonl_path.write_text(json.dumps(dict(zip(names, values, strict=True))) + "\n", "utf-8")
    return [csv_path, jsonl_path]


def wide_scan(path: Path, columns: int) -> tuple[float, float, int]:
    """Seconds (wall, CPU) to scan one wide file in this process (one row: workers would not
    help), the column limit raised above it, and its findings."""
    options = ScanOptions(workers=1, limits=Limits(max_columns=columns + 1))
    started, cpu = time.perf_counter(), time.process_time()
    summary = scan([str(path)], io.BytesIO(), options)
    assert summary.complete and summary.rows == 1, summary.problems
    return time.perf_counter() - started, time.process_time() - cpu, summary.findings


def write_speed(path: Path, megabytes: int) -> float:
    """MB/s of plain sequential writes to ``path``'s disk (what the findings file costs)."""
    block = b"x" * (1 << 20)
    started = time.perf_counter()
    with path.open("wb") as fh:
        for _ in range(megabytes):
            fh.write(block)
        fh.flush()
        os.fsync(fh.fileno())
    seconds = time.perf_counter() - started
    path.unlink()
    return megabytes / seconds


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100k rows instead of 1M")
    parser.add_argument("--rows", type=int, default=0)
    args = parser.parse_args()
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    workers = default_workers()
    with tempfile.TemporaryDirectory(prefix="onshore-bench-") as tmp:
        path = Path(tmp) / "users.parquet"
        started = time.perf_counter()
        generate(path, rows)
        size = os.path.getsize(path) / 1e6
        took = time.perf_counter() - started
        print(f"generated {rows:,} rows x 5 columns ({size:.1f} MB) in {took:.1f} s")
        t_duck, counts = duckdb_baseline(path, workers)
        t_ours, findings = onshore_scan(path, Path(tmp) / "findings.jsonl", workers)
        out_mb = os.path.getsize(Path(tmp) / "findings.jsonl") / 1e6
        (Path(tmp) / "findings.jsonl").unlink()
        t_null, _ = onshore_scan(path, Path(os.devnull), workers)
        disk = write_speed(Path(tmp) / "write-test", min(512, int(out_mb) + 1))
        wide = 10_000 if args.quick else 100_000
        timings = [(p.suffix, *wide_scan(p, wide)) for p in wide_files(Path(tmp), wide)]
    r_duck, r_ours = rows / t_duck, rows / t_ours
    print(f"duckdb regexp_matches : {r_duck:12,.0f} rows/s ({t_duck:.2f} s, {workers} threads)")
    print(f"  matches per column: {counts}")
    print(
        f"onshore scan          : {r_ours:12,.0f} rows/s ({t_ours:.2f} s, {workers} workers) "
        f"{findings:,} findings, {out_mb:.0f} MB of JSON Lines"
    )
    print(f"onshore scan, findings discarded: {rows / t_null:12,.0f} rows/s ({t_null:.2f} s)")
    print(
        f"(the findings file alone is {out_mb:.0f} MB; this disk writes {disk:.0f} MB/s,"
        f" i.e. {out_mb / disk:.1f} s of the scan)"
    )
    for suffix, seconds, cpu, found in timings:
        print(
            f"wide {suffix:6}: {wide:,} columns x 1 row in {seconds:.1f} s ({cpu:.1f} s of CPU,"
            f" {cpu / wide * 1e6:.0f} us per column, {found} findings)"
        )
    print(
        f"ratio onshore/duckdb: {r_ours / r_duck:.2f}x (goal >= 0.35x);"
        f" findings discarded: {(rows / t_null) / r_duck:.2f}x"
    )


if __name__ == "__main__":
    main()
