"""``onshore scan --engine spark``: the same findings as the local engine, on local[2] Spark.

One Spark session serves every test here (``conftest.spark``); the files are the labelled
corpus of the accuracy tests, as CSV, JSON Lines and Parquet, plus a Parquet file with typed
columns and several row groups (Spark splits it; row numbers must survive).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from onshore.core.errors import InputError
from onshore.services.scan import ScanOptions, scan
from onshore.services.scan.report import render_html
from tests.classify.corpus import generate
from tests.scan.writers import write_csv, write_jsonl, write_parquet
from tests.support.cli import onshore

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.slow

KEYS = ("source", "row", "column", "start", "end", "category", "detector", "confidence")
KEYS_LOCATED = (*KEYS, "subject_country", "residency_violation")


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("lake")
    corpus = generate(seed=2026, users=150, posts=150)
    write_csv(d / "users.csv", corpus.users_columns, corpus.users)
    write_jsonl(d / "posts.jsonl", corpus.posts_columns, corpus.posts)
    (d / "nested").mkdir()
    write_parquet(d / "nested" / "users.parquet", corpus.users_columns, corpus.users)
    n = 3000  # typed columns, 3 row groups
    table = pa.table(
        {
            "id": pa.array(range(n), pa.int64()),
            "phone": [f"09{i:08d}" if i % 3 == 0 else None for i in range(n)],
            "email": [f"user{i}@example.vn" for i in range(n)],
            "score": pa.array([i / 7 for i in range(n)], pa.float64()),
        }
    )
    pq.write_table(table, d / "events.parquet", row_group_size=1000)
    with (d / "bad.jsonl").open("w", encoding="utf-8") as fh:
        fh.write('{"sdt": "0912345678"}\n\nnot json\n[1, 2]\n{"email": "a@b.vn"}\n')
    return d


def _local(paths: list[str], options: ScanOptions) -> tuple[set[tuple[Any, ...]], Any]:
    out = io.BytesIO()
    summary = scan(paths, out, options)
    keys = KEYS_LOCATED if options.located_in else KEYS
    found = [json.loads(line) for line in out.getvalue().splitlines()]
    return {tuple(f[k] for k in keys) for f in found}, summary


def _spark_findings(folder: Path, fmt: str, keys: tuple[str, ...]) -> set[tuple[Any, ...]]:
    rows: list[dict[str, Any]] = []
    if fmt == "parquet":
        rows = ds.dataset(folder, format="parquet").to_table().to_pylist()
    else:
        for part in sorted(folder.glob("part-*")):
            rows.extend(json.loads(line) for line in part.read_text("utf-8").splitlines())
    return {tuple(r[k] for k in keys) for r in rows}


def _counts(summary: Any) -> dict[str, Any]:
    return {
        "rows": summary.rows,
        "findings": summary.findings,
        "rows_with_findings": summary.rows_with_findings,
        "vn_subject_rows": summary.vn_subject_rows,
        "violations": summary.violations,
        "violation_rows": summary.violation_rows,
        "categories": dict(summary.categories),
        "subject_countries": dict(summary.subject_countries),
        "violations_by_category": dict(summary.violations_by_category),
        "tables": {t.label: (t.rows, t.skipped, t.findings) for t in summary.tables},
    }


def test_spark_findings_equal_the_local_engines_and_the_cli_writes_them(
    spark: SparkSession, lake: Path, tmp_path: Path
) -> None:
    from onshore.services.runtime.spark_engine import spark_scan

    violations = {"phone_number": True, "email": True, "national_id": True}
    options = ScanOptions(located_in="SG", violations=violations, workers=1)
    local, local_summary = _local([str(lake)], options)
    summary = spark_scan([str(lake)], tmp_path, options, spark=spark, fmt="parquet")
    found = _spark_findings(tmp_path / "findings", "parquet", KEYS_LOCATED)
    assert len(local) > 5_000
    assert found == local
    assert _counts(summary) == _counts(local_summary)
    bad = next(t for t in summary.tables if t.label == "bad.jsonl")
    assert bad.rows == 2 and bad.skipped == 2
    assert {p.kind for p in bad.problems} == {"malformed_row"}
    assert sorted(r for p in bad.problems for r, _ in p.examples) == [2, 3]
    assert "residency violations" in render_html(summary)
    _cli_writes_json_lines_partitions_summary_and_report(lake, tmp_path)


def _cli_writes_json_lines_partitions_summary_and_report(lake: Path, tmp_path: Path) -> None:
    """The CLI on the same session (one JVM per test session: xdist may not split it)."""
    users = str(lake / "users.csv")
    out, report = tmp_path / "out", tmp_path / "report.html"
    args = ("scan", "--engine", "spark", "--master", "local[2]", "--format", "jsonl", users)
    done = onshore(*args, "--out", str(out), "--report", str(report), "--json")
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert json.loads((out / "summary.json").read_text("utf-8")) == printed
    local, local_summary = _local([users], ScanOptions(workers=1))
    assert _spark_findings(out / "findings", "jsonl", KEYS) == local
    assert printed["findings"] == local_summary.findings == len(local)
    assert "<svg" in report.read_text("utf-8")


def test_bad_engine_and_sources_are_refused_before_spark_starts(tmp_path: Path) -> None:
    bad = onshore("scan", "--engine", "flink", str(tmp_path), "--out", str(tmp_path / "o"))
    assert bad.returncode == 2 and "--engine" in bad.stderr
    assert "Traceback" not in bad.stderr
    db = onshore("scan", "--engine", "spark", "sqlite:///x.db", "--out", str(tmp_path / "o"))
    assert db.returncode == 2 and "local engine" in db.stderr
    stdout = onshore("scan", "--engine", "spark", str(tmp_path), "--out", "-")
    assert stdout.returncode == 2 and "directory" in stdout.stderr


def test_missing_pyspark_is_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from onshore.services.runtime.spark_engine import spark_session

    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # as if the extra were not installed
    with pytest.raises(InputError, match=r"onshore\[spark\]"):
        spark_session("local[1]")
