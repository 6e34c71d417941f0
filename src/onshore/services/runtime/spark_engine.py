"""``onshore scan --engine spark``: the local engine's classifier over Apache Spark.

The driver lists the files (Parquet, CSV, JSON Lines; directories recursively, as the local
engine does), reads each file's first batch with the local reader to decide the column
verdicts (the same rows the local engine decides them from), then has Spark read the data
and classify it on the executors with ``mapInArrow`` (``spark_tasks``):

- Parquet through Spark's Parquet reader; the row number is ``_metadata.row_index``. Files
  are grouped by schema, one DataFrame per group.
- CSV through Spark's CSV reader, one file per task (``multiLine``: quoted line breaks are
  read like the local reader reads them), the delimiter sniffed like the local reader does.
- JSON Lines as text; a line's number comes from ``monotonically_increasing_id`` and one
  count per partition, so lines keep the local engine's row numbers.

Findings are written by Spark as Parquet or JSON Lines partitions under ``OUT/findings``;
the summary is the local engine's ``ScanSummary`` (same report, same JSON). pyspark is an
optional dependency (``onshore[spark]``); without it, or without Java, the engine raises
``InputError`` with what to install.

Example:
    >>> kind_of("lake/events.parquet"), kind_of("users.tsv"), kind_of("posts.ndjson")
    ('parquet', 'csv', 'jsonl')
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq

from onshore.adapters.sources.csv_delimiter import SAMPLE_ROWS, delimiter
from onshore.core.classify.column import classify_column
from onshore.core.errors import InputError
from onshore.ports.sources import INFO_KINDS, Problem, Table
from onshore.services.runtime.sources import open_tables
from onshore.services.runtime.spark_tasks import (
    CORRUPT,
    FILE,
    LINE_ID,
    ROW,
    FilePlan,
    StatsParam,
    TaskOptions,
    csv_task,
    findings_schema,
    jsonl_task,
    parquet_task,
)
from onshore.services.scan.batch import BatchResult, VerdictSpec
from onshore.services.scan.runner import SAMPLE, ScanOptions, ScanSummary, TableSummary

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: Output formats of the findings partitions.
FORMATS = ("parquet", "jsonl")


def kind_of(path: str) -> str:
    """How a file is read, by suffix (anything not Parquet or JSON is CSV, as locally)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".parquet":
        return "parquet"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    return "csv"


def spark_session(master: str | None = None, *, batch_rows: int = 8192) -> SparkSession:
    """The active Spark session, or a new one on ``master`` (default: ``local[*]``, or what
    ``spark-submit`` set). InputError when pyspark or Java is missing."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise InputError(
            "--engine spark needs pyspark: pip install 'onshore[spark]' (and Java 17+)"
        ) from exc
    if (master or "local").startswith("local"):  # local executors run this very Python
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.appName("onshore scan")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")  # the CLI shows its own
    )
    if master:
        builder = builder.master(master)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # pyspark raises its own runtime errors (no Java, bad master)
        first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0][:300]
        raise InputError(
            f"cannot start Spark (master {master or 'local[*]'}): {first}; "
            "Spark needs Java 17+ (JAVA_HOME) and a reachable master URL"
        ) from exc
    session.sparkContext.setLogLevel("ERROR")
    session.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
    return session


def _spec(name: str, sample: list[object]) -> VerdictSpec:
    v = classify_column(name, sample)
    names = tuple(r.name for r in v.detectors)
    return VerdictSpec(v.column, v.named, names, v.name_only, v.free_text, v.reason)


def _first_batch(table: Table, rows: int) -> Any:
    batches = table.batches(rows)
    try:
        return next(batches, None)
    finally:
        close = getattr(batches, "close", None)  # a generator: stop reading the file
        if close is not None:
            close()


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(8192)


def _sniff(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        header = fh.readline().lstrip("\ufeff").rstrip("\r\n")
        sample = [line.rstrip("\r\n") for _, line in zip(range(SAMPLE_ROWS), fh, strict=False)]
    return delimiter(header, sample)


def _plan(table: Table, options: ScanOptions) -> FilePlan | None:
    """The plan of one file (None when the driver already found it unreadable or empty)."""
    path = getattr(table, "path", None)
    if not isinstance(path, Path):
        return None
    first = _first_batch(table, options.batch_rows)
    if first is None or any(p.fatal for p in table.problems):
        return None
    _, batch = first
    kind = kind_of(str(path))
    if kind == "jsonl" and _head(path).lstrip()[:1] == b"[":
        table.problem("unreadable", "a JSON array document: scan it with the local engine", 1)
        return None
    verdicts = []
    for name in batch.schema.names:
        sample = batch.column(name).drop_null().slice(0, SAMPLE * 2).to_pylist()[:SAMPLE]
        verdicts.append(_spec(name, sample))
    resolved = str(path.resolve())
    if kind == "csv":
        columns = tuple(batch.schema.names)
        return FilePlan(resolved, table.label, kind, tuple(verdicts), columns, _sniff(resolved))
    return FilePlan(resolved, table.label, kind, tuple(verdicts))


def check_specs(specs: Sequence[str]) -> None:
    """InputError for a source the Spark engine does not read (databases, object URLs)."""
    for spec in specs:
        if "://" in spec or spec.startswith(("sqlite:", "postgres")):
            raise InputError(
                f"{spec}: --engine spark reads files and directories (Parquet, CSV, JSON Lines);"
                " scan databases and s3:// URLs with the local engine (see docs/scan.md)"
            )


def plan_files(
    specs: Sequence[str], options: ScanOptions
) -> tuple[list[FilePlan], list[TableSummary]]:
    """Every file behind ``specs`` with its verdicts, and one summary per table (in order;
    files the driver could not open keep their problems)."""
    plans: list[FilePlan] = []
    tables: list[TableSummary] = []
    check_specs(specs)
    for spec in specs:
        for table in open_tables(spec, options.limits):
            plan = _plan(table, options)
            ts = TableSummary(table.label)
            tables.append(ts)
            if plan is None:
                ts.problems = list(table.problems)
                continue
            ts.problems = [p for p in table.problems if p.kind in INFO_KINDS]
            ts.columns = {v.column: v.reason for v in plan.verdicts if v.verdict().categories}
            plans.append(replace(plan, table=len(tables) - 1))
    return plans, tables


def _frames(
    spark: SparkSession, plans: list[FilePlan], options: ScanOptions, accumulator: Any, fmt: str
) -> Iterator[Any]:
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    topts = TaskOptions(
        options.preview,
        options.located_in is not None,
        dict(options.violations),
        options.limits.max_depth,
        options.limits.max_columns,
        accumulator,
        fmt == "jsonl",
    )
    schema = findings_schema(located=topts.located, preview=topts.preview, lines=topts.lines)
    ddl = _ddl(schema)
    by_schema: dict[str, list[FilePlan]] = {}
    for plan in (p for p in plans if p.kind == "parquet"):
        by_schema.setdefault(pq.read_schema(plan.path).to_string(), []).append(plan)
    for group in by_schema.values():
        df = spark.read.parquet(*[_uri(p.path) for p in group]).select(
            "*", F.col("_metadata.file_path").alias(FILE), F.col("_metadata.row_index").alias(ROW)
        )
        yield df.mapInArrow(parquet_task({p.path: p for p in group}, topts, schema), ddl)
    for plan in (p for p in plans if p.kind == "csv"):
        fields = [StructField(f"c{i}", StringType()) for i in range(len(plan.columns))]
        df = (
            spark.read.schema(StructType([*fields, StructField(CORRUPT, StringType())]))
            .options(header=True, sep=plan.delimiter, quote='"', escape='"', multiLine=True)
            .options(mode="PERMISSIVE", columnNameOfCorruptRecord=CORRUPT, encoding="UTF-8")
            .csv(_uri(plan.path))
        )
        yield df.mapInArrow(csv_task(plan, topts, schema), ddl)
    lines = [p for p in plans if p.kind == "jsonl"]
    if lines:
        df = (
            spark.read.option("lineSep", "\n")
            .text([_uri(p.path) for p in lines])
            .select("value", F.col("_metadata.file_path").alias(FILE))
            .withColumn(LINE_ID, F.monotonically_increasing_id())
        )
        counts = (
            df.groupBy(FILE, F.shiftright(LINE_ID, 33).alias("p"))
            .agg(F.min(LINE_ID).alias("first"), F.count("*").alias("n"))
            .collect()
        )
        offsets: dict[tuple[str, int], tuple[int, int]] = {}
        base: Counter[str] = Counter()
        for r in sorted(counts, key=lambda r: (r[FILE], r["p"])):
            offsets[(r[FILE], r["p"])] = (r["first"], base[r[FILE]])
            base[r[FILE]] += r["n"]
        plans_by_path = {p.path: p for p in lines}
        yield df.mapInArrow(jsonl_task(plans_by_path, offsets, topts, schema), ddl)


def _uri(path: str) -> str:
    return Path(path).as_uri()


def _ddl(schema: Any) -> str:
    names = {"string": "string", "int64": "bigint", "double": "double", "bool": "boolean"}
    return ", ".join(f"`{f.name}` {names[str(f.type)]}" for f in schema)


def spark_scan(
    specs: Sequence[str],
    out_dir: Path,
    options: ScanOptions,
    *,
    master: str | None = None,
    fmt: str = "parquet",
    spark: SparkSession | None = None,
) -> ScanSummary:
    """Scan ``specs`` on Spark, writing findings partitions to ``out_dir/findings``."""
    if fmt not in FORMATS:
        raise InputError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    started = time.perf_counter()
    check_specs(specs)
    session = spark or spark_session(master, batch_rows=options.batch_rows)
    plans, tables = plan_files(specs, options)
    summary = ScanSummary(tables=tables, located_in=options.located_in)
    empty: list[str] = []
    accumulator: Any = session.sparkContext.accumulator(empty, StatsParam())  # type: ignore[arg-type]
    frames = list(_frames(session, plans, options, accumulator, fmt))
    target = str(out_dir / "findings")
    if not frames:
        summary.seconds = time.perf_counter() - started
        return summary
    findings = reduce(lambda a, b: a.unionByName(b), frames)
    _write(findings, target, fmt)
    stats: list[str] = list(accumulator.value)
    _fold(summary, plans, stats)
    summary.seconds = time.perf_counter() - started
    return summary


def _write(findings: DataFrame, target: str, fmt: str) -> None:
    writer = findings.write.mode("overwrite")
    if fmt == "parquet":
        writer.parquet(target)
    else:
        writer.text(target)  # the lines the local engine writes


def _fold(summary: ScanSummary, plans: list[FilePlan], stats: list[str]) -> None:
    """Add every batch's counts to ``summary`` (per table: rows, skipped, problems)."""
    import json

    by_path = {p.path: summary.tables[p.table] for p in plans}
    skipped: dict[int, Counter[str]] = {}
    examples: dict[tuple[int, str], list[tuple[int, str]]] = {}
    for text in stats:
        data = json.loads(text)
        ts = by_path[data["path"]]
        counts = data["result"]
        for name in ("categories", "subject_countries", "violations_by_category"):
            counts[name] = Counter(counts[name])
        result = BatchResult(**counts)
        summary.add(result)
        ts.findings += result.findings
        ts.rows += result.rows
        summary.rows += result.rows
        for kind, n in data["skipped"].items():
            skipped.setdefault(id(ts), Counter())[kind] += n
            kept = examples.setdefault((id(ts), kind), [])
            kept.extend((int(r), str(w)) for r, w in data["examples"].get(kind, []))
    for ts in summary.tables:
        for kind, n in sorted(skipped.get(id(ts), Counter()).items()):
            ts.skipped += n
            shown = tuple(sorted(examples[(id(ts), kind)])[:10])
            message = f"{n} rows skipped ({kind})"
            ts.problems.append(Problem(kind, ts.label, message, n, False, shown))


__all__ = ["FORMATS", "check_specs", "kind_of", "plan_files", "spark_scan", "spark_session"]
