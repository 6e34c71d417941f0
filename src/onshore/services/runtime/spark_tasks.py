"""What runs on Spark's executors for ``onshore scan --engine spark``: Arrow batches in,
findings and per-batch counts out (the functions given to ``DataFrame.mapInArrow``).

The classification is the local engine's own (``onshore.services.scan.batch.process``), with
the column verdicts decided once on the driver from the same first rows the local engine
looks at, so findings are the same. Each output batch holds findings (one row each, the
columns of the local engine's JSON Lines); each batch's counts go, as a JSON object, to a
Spark accumulator the driver folds into the summary (no second pass over the findings).

Example:
    >>> findings_schema(located=False, preview=False).names[:3]
    ['source', 'row', 'column']
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from onshore.adapters.sources.base import MAX_EXAMPLES
from onshore.adapters.sources.jsonl_file import depth_over, flatten
from onshore.adapters.sources.parquet_file import as_strings
from onshore.core.classify.column import classify_column
from onshore.services.scan.batch import BatchResult, Job, VerdictSpec, process_safely

#: Columns the engine adds to what it reads (file, row number, id, unreadable CSV record).
FILE, ROW, LINE_ID, CORRUPT = "_onshore_file", "_onshore_row", "_onshore_id", "_onshore_corrupt"

#: Non-null values looked at for the verdict of a column first seen on an executor.
SAMPLE = 256


def findings_schema(*, located: bool, preview: bool, lines: bool = False) -> pa.Schema:
    """The findings columns (the local engine's JSON keys, same order), or one ``value``
    column of JSON lines."""
    if lines:
        return pa.schema([pa.field("value", pa.string())])
    fields = [
        pa.field("source", pa.string()),
        pa.field("row", pa.int64()),
        pa.field("column", pa.string()),
        pa.field("start", pa.int64()),
        pa.field("end", pa.int64()),
        pa.field("category", pa.string()),
        pa.field("detector", pa.string()),
        pa.field("confidence", pa.float64()),
        pa.field("subject_country", pa.string()),
    ]
    if located:
        fields.append(pa.field("residency_violation", pa.bool_()))
    if preview:
        fields.append(pa.field("preview", pa.string()))
    return pa.schema(fields)


@dataclass(frozen=True)
class FilePlan:
    """One file as the driver saw it: label, kind, verdicts, CSV header and delimiter."""

    path: str
    label: str
    kind: str
    verdicts: tuple[VerdictSpec, ...]
    columns: tuple[str, ...] = ()
    delimiter: str = ","
    #: Index of the file's table in the scan summary.
    table: int = -1


@dataclass(frozen=True)
class TaskOptions:
    """The scan options an executor needs."""

    preview: bool = False
    located: bool = False
    violations: dict[str, bool] = field(default_factory=dict)
    max_depth: int = 64
    max_columns: int = 16384
    #: The Spark accumulator each batch's counts are added to (``StatsParam``).
    stats: Any = None
    #: Findings as the local engine's JSON lines (one ``value`` column), not typed columns.
    lines: bool = False


class StatsParam:
    """How the counts accumulator adds up: lists of JSON objects, concatenated."""

    def zero(self, value: list[str]) -> list[str]:
        """An empty list."""
        return []

    def addInPlace(self, a: list[str], b: list[str]) -> list[str]:
        """``a`` followed by ``b``."""
        a.extend(b)
        return a


@dataclass
class _Skipped:
    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    def add(self, kind: str, row: int, reason: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        kept = self.examples.setdefault(kind, [])
        if len(kept) < MAX_EXAMPLES:
            kept.append((row, reason))


def _stats_row(path: str, result: BatchResult, skipped: _Skipped) -> str:
    counts = {  # not ``asdict``: it rebuilds a Counter from its items, counting pairs
        f.name: dict(value) if isinstance(value := getattr(result, f.name), dict) else value
        for f in fields(result)
        if f.name not in ("lines", "spill")
    }
    return json.dumps(
        {
            "path": path,
            "result": counts,
            "skipped": skipped.counts,
            "examples": skipped.examples,
        }
    )


def _output(
    schema: pa.Schema, options: TaskOptions, path: str, result: BatchResult, skipped: _Skipped
) -> pa.RecordBatch:
    if options.stats is not None:
        options.stats.add([_stats_row(path, result, skipped)])
    if not result.lines:
        return _no_rows(schema)
    if options.lines:  # the local engine's own lines, as they are
        text = result.lines.decode("utf-8").rstrip("\n").split("\n")  # not splitlines: U+2028
        return pa.RecordBatch.from_arrays([pa.array(text, pa.string())], schema=schema)
    parse = pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    read = pajson.read_json(io.BytesIO(result.lines), parse_options=parse)
    found = read.select(schema.names).combine_chunks().to_batches()
    return found[0] if found else _no_rows(schema)


def _no_rows(schema: pa.Schema) -> pa.RecordBatch:
    return pa.RecordBatch.from_pylist([], schema=schema)


def _classify(
    plan: FilePlan,
    rows: np.ndarray,
    batch: pa.RecordBatch,
    options: TaskOptions,
    schema: pa.Schema,
    skipped: _Skipped,
) -> pa.RecordBatch:
    known = {v.column for v in plan.verdicts}
    extra = []
    for name in batch.schema.names:
        if name not in known:  # a JSON field first seen past the driver's sample
            sample = batch.column(name).drop_null().slice(0, SAMPLE * 2).to_pylist()[:SAMPLE]
            v = classify_column(name, sample)
            names = tuple(r.name for r in v.detectors)
            extra.append(VerdictSpec(v.column, v.named, names, v.name_only, v.free_text, v.reason))
    job = Job(
        plan.label,
        rows,
        batch,
        plan.verdicts + tuple(extra),
        options.preview,
        options.located,
        options.violations,
    )
    result = process_safely(job)
    if result.failed is not None:
        skipped.counts["batch_failed"] = skipped.counts.get("batch_failed", 0) + result.rows
        skipped.examples["batch_failed"] = [(int(rows[0]) if len(rows) else 0, result.failed)]
        result = BatchResult()
    return _output(schema, options, plan.path, result, skipped)


def _empty(
    plan: FilePlan, options: TaskOptions, schema: pa.Schema, skipped: _Skipped
) -> pa.RecordBatch:
    return _output(schema, options, plan.path, BatchResult(), skipped)


def parquet_task(
    plans: dict[str, FilePlan], options: TaskOptions, schema: pa.Schema
) -> Callable[[Iterable[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The ``mapInArrow`` function for Parquet batches carrying ``_onshore_file`` and
    ``_onshore_row`` (Spark's ``_metadata.row_index``)."""

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            files = batch.column(FILE)
            for name in files.unique().to_pylist():
                plan = plans[_local_path(name)]
                mask = pc.equal(files, name)
                part = batch.filter(mask)
                rows = part.column(ROW).to_numpy(zero_copy_only=False).astype(np.int64)
                data = [
                    (n, as_strings(part.column(n)))
                    for n in part.schema.names
                    if n not in (FILE, ROW)
                ]
                strings = pa.RecordBatch.from_arrays([a for _, a in data], [n for n, _ in data])
                yield _classify(plan, rows, strings, options, schema, _Skipped())

    return run


def csv_task(
    plan: FilePlan, options: TaskOptions, schema: pa.Schema
) -> Callable[[Iterable[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The ``mapInArrow`` function for one CSV file read whole by one task (``multiLine``):
    rows are numbered in order; records Spark could not parse are skipped and counted."""

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        index = 0
        for batch in batches:
            skipped = _Skipped()
            bad = batch.column(CORRUPT).is_valid().to_numpy(zero_copy_only=False)
            numbers = np.arange(index, index + batch.num_rows, dtype=np.int64)
            index += batch.num_rows
            for row in numbers[bad].tolist():
                skipped.add("malformed_row", row, "fields do not match the header")
            keep = pa.array(~bad)
            data = batch.drop_columns([CORRUPT]).filter(keep)
            data = pa.RecordBatch.from_arrays(data.columns, names=list(plan.columns))
            if data.num_rows:
                yield _classify(plan, numbers[~bad], data, options, schema, skipped)
            else:
                yield _empty(plan, options, schema, skipped)

    return run


def jsonl_task(
    plans: dict[str, FilePlan],
    offsets: dict[tuple[str, int], tuple[int, int]],
    options: TaskOptions,
    schema: pa.Schema,
) -> Callable[[Iterable[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The ``mapInArrow`` function for JSON Lines read as text: a line's number is its
    partition's first line number plus its place in the partition (``offsets``, counted
    by the driver from ``monotonically_increasing_id``)."""

    def run(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            files = batch.column(FILE).to_pylist()
            ids = batch.column(LINE_ID).to_pylist()
            lines = batch.column("value").to_pylist()
            groups: dict[str, tuple[list[int], list[dict[str, str | None]], _Skipped]] = {}
            for name, ident, line in zip(files, ids, lines, strict=True):
                first_id, base = offsets[(name, ident >> 33)]
                number = base + ident - first_id
                numbers, records, skipped = groups.setdefault(name, ([], [], _Skipped()))
                record = _record(line or "", number, options, skipped)
                if record is not None:
                    numbers.append(number)
                    records.append(record)
            for name, (numbers, records, skipped) in groups.items():
                plan = plans[_local_path(name)]
                if not records:
                    yield _empty(plan, options, schema, skipped)
                    continue
                columns = list(dict.fromkeys(k for r in records for k in r))
                arrays = [pa.array([r.get(c) for r in records], pa.string()) for c in columns]
                data = pa.RecordBatch.from_arrays(arrays, names=columns)
                rows = np.array(numbers, dtype=np.int64)
                yield _classify(plan, rows, data, options, schema, skipped)

    return run


def _record(
    line: str, number: int, options: TaskOptions, skipped: _Skipped
) -> dict[str, str | None] | None:
    """One JSON line flattened like the local reader does, or None (skipped, counted)."""
    if not line.strip():
        return None
    try:
        obj = json.loads(line)
    except RecursionError:
        skipped.add("too_deep", number, f"nested deeper than {options.max_depth} levels")
        return None
    except ValueError as exc:
        skipped.add("malformed_row", number, f"not JSON: {exc}")
        return None
    if not isinstance(obj, dict):
        skipped.add("malformed_row", number, f"a JSON {type(obj).__name__}, not an object")
        return None
    if depth_over(obj, options.max_depth):
        skipped.add("too_deep", number, f"nested deeper than {options.max_depth} levels")
        return None
    record = flatten(obj)
    if len(record) > options.max_columns:
        skipped.add("too_many_columns", number, f"over {options.max_columns:,} fields")
        return None
    return record


def _local_path(uri: str) -> str:
    """A Spark file URI (``file:///a%20b/x.parquet``) as the path the driver planned with."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(uri)
    return unquote(parts.path) if parts.scheme in ("file", "") else uri


__all__ = [
    "CORRUPT",
    "FILE",
    "LINE_ID",
    "ROW",
    "FilePlan",
    "StatsParam",
    "TaskOptions",
    "csv_task",
    "findings_schema",
    "jsonl_task",
    "parquet_task",
]
