"""``onshore scan``: stream tables, classify columns, write findings, count what was skipped.

One process reads (sources stream bounded batches); batches are classified in a pool of
worker processes (``workers``, default every core) with a bounded number in flight, and
their findings come back already encoded as JSON Lines, written in input order.

Example:
    >>> import io, tempfile
    >>> from pathlib import Path
    >>> d = Path(tempfile.mkdtemp()); _ = (d / "u.csv").write_text("sdt\\n0912345678\\n")
    >>> out = io.BytesIO()
    >>> summary = scan([str(d / "u.csv")], out, ScanOptions(workers=1))
    >>> summary.findings, summary.complete, dict(summary.categories)
    (1, True, {'phone_number': 1})
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from onshore.core.classify.column import ColumnVerdict, classify_column
from onshore.ports.sources import INFO_KINDS, Limits, Problem, SlicedTable, Table, unique_names
from onshore.services.scan.batch import BatchResult, Job, VerdictSpec, process_safely
from onshore.services.scan.workers import init_worker

#: Non-null values per column looked at to decide a column's verdict.
SAMPLE = 256


@dataclass(frozen=True)
class ScanOptions:
    """How to scan: masked previews, the store's country, workers, batch size.

    ``violations`` maps a category to whether storing it for a Vietnamese subject in the
    ``located_in`` country is denied under the loaded packs (``onshore.services.scan.residency``).
    """

    preview: bool = False
    located_in: str | None = None
    violations: dict[str, bool] = field(default_factory=dict)
    workers: int = 1
    batch_rows: int = 8192
    in_flight: int = 4
    limits: Limits = field(default_factory=Limits)


@dataclass
class TableSummary:
    """What one table gave."""

    label: str
    rows: int = 0
    skipped: int = 0
    findings: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ScanSummary:
    """Totals of a scan: findings per category, Vietnamese subjects, violations, problems."""

    tables: list[TableSummary] = field(default_factory=list)
    categories: Counter[str] = field(default_factory=Counter)
    subject_countries: Counter[str] = field(default_factory=Counter)
    findings: int = 0
    rows: int = 0
    rows_with_findings: int = 0
    vn_subject_rows: int = 0
    violations: int = 0
    violation_rows: int = 0
    violations_by_category: Counter[str] = field(default_factory=Counter)
    located_in: str | None = None
    seconds: float = 0.0

    @property
    def problems(self) -> list[Problem]:
        """Every problem of every table."""
        return [p for t in self.tables for p in t.problems]

    @property
    def bad_input(self) -> dict[str, int]:
        """Rows, documents or tables skipped as bad input, by problem kind (``too_deep``,
        ``too_many_columns``, ``line_too_long``...); empty when everything was read."""
        counts: Counter[str] = Counter()
        for p in self.problems:
            if p.kind not in INFO_KINDS:
                counts[p.kind] += p.count
        return dict(sorted(counts.items()))

    @property
    def complete(self) -> bool:
        """Whether every source was read in full (empty files count as read)."""
        return all(p.kind in INFO_KINDS for p in self.problems)

    def add(self, result: BatchResult) -> None:
        """Fold one batch's counts in."""
        self.categories.update(result.categories)
        self.subject_countries.update(result.subject_countries)
        self.findings += result.findings
        self.rows_with_findings += result.rows_with_findings
        self.vn_subject_rows += result.vn_subject_rows
        self.violations += result.violations
        self.violation_rows += result.violation_rows
        self.violations_by_category.update(result.violations_by_category)


def _verdicts(batch: pa.RecordBatch, known: dict[str, ColumnVerdict]) -> None:
    names = batch.schema.names
    new = [i for i, name in enumerate(names) if name not in known]
    if not new:
        return
    if batch.num_rows <= SAMPLE:  # a short batch (a wide table's one row): one conversion
        part = batch.select(new) if len(new) < len(names) else batch
        for name, values in zip(part.schema.names, part.to_pydict().values(), strict=True):
            known[name] = classify_column(name, [v for v in values if v is not None])
        return
    for i in new:
        col = batch.column(i)
        sample = [v for v in col.drop_null().slice(0, SAMPLE * 2).to_pylist()][:SAMPLE]
        known[names[i]] = classify_column(names[i], sample)


def _specs(names: Sequence[str], verdicts: dict[str, ColumnVerdict]) -> tuple[VerdictSpec, ...]:
    """The specs of the columns with something to look for (most of a wide table's have
    nothing: workers would skip them anyway)."""
    found = (verdicts[n] for n in names)
    return tuple(_spec(v) for v in found if v.detectors or v.name_only or v.free_text)


def _spec(v: ColumnVerdict) -> VerdictSpec:
    return VerdictSpec(
        v.column, v.named, tuple(r.name for r in v.detectors), v.name_only, v.free_text, v.reason
    )


def _jobs(
    tables: Iterator[Table],
    summary: ScanSummary,
    options: ScanOptions,
    on_table: Callable[[Table], None] | None,
) -> Iterator[tuple[TableSummary, Job]]:
    for table in tables:
        ts = TableSummary(table.label)
        summary.tables.append(ts)
        if on_table is not None:
            on_table(table)
        verdicts: dict[str, ColumnVerdict] = {}
        if options.workers > 1 and isinstance(table, SlicedTable):
            sample = table.sample(SAMPLE)
            slices = table.slices() if sample is not None else []
            if (
                sample is not None and slices and _plain_columns(sample, options.limits)
            ):  # workers read the row groups themselves (renamed or wide: read here)
                _verdicts(sample, verdicts)
                specs = _specs(sample.schema.names, verdicts)
                for part in slices:
                    yield (
                        ts,
                        Job(
                            table.label,
                            None,
                            None,
                            specs,
                            options.preview,
                            options.located_in is not None,
                            options.violations,
                            part,
                        ),
                    )
                ts.columns = {n: v.reason for n, v in verdicts.items() if v.categories}
                continue
        for rows, batch in table.batches(options.batch_rows):
            if batch.num_columns > options.limits.max_columns:
                table.problem(
                    "too_many_columns",
                    f"{batch.num_columns:,} columns, over the limit of "
                    f"{options.limits.max_columns:,} (--max-columns): not read",
                    fatal=True,
                )
                break
            batch = _unique_columns(table, batch)
            _verdicts(batch, verdicts)
            specs = _specs(batch.schema.names, verdicts)
            yield (
                ts,
                Job(
                    table.label,
                    rows,
                    _needed(batch, specs),
                    specs,
                    options.preview,
                    options.located_in is not None,
                    options.violations,
                ),
            )
        ts.skipped += table.rows_skipped
        ts.problems[:0] = table.problems  # batch failures may already be there
        ts.columns = {n: v.reason for n, v in verdicts.items() if v.categories}


def _needed(batch: pa.RecordBatch, specs: tuple[VerdictSpec, ...]) -> pa.RecordBatch:
    """``batch`` with only the columns ``specs`` look at (a wide table's few: the others
    need not be sent to a worker), or all of them when that is most of them."""
    wanted = [s.column for s in specs] or batch.schema.names[:1]  # keeps the row count
    if 2 * len(wanted) >= batch.num_columns:
        return batch
    return batch.select(wanted)


def _plain_columns(batch: pa.RecordBatch, limits: Limits) -> bool:
    """Whether ``batch``'s columns need no renaming and are within the column limit."""
    names = batch.schema.names
    return len(set(names)) == len(names) and len(names) <= limits.max_columns


def _unique_columns(table: Table, batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` with repeated column names renamed (``phone``, ``phone_2``...), reported."""
    names = batch.schema.names
    if len(set(names)) == len(names):
        return batch
    fixed, repeated = unique_names(names)
    if not any(p.kind == "duplicate_column" for p in table.problems):
        shown = ", ".join(repr(r) for r in repeated[:5])
        table.problem(
            "duplicate_column",
            f"repeated column names {shown} read as name_2, name_3...",
            len(repeated),
        )
    return pa.RecordBatch.from_arrays(batch.columns, names=fixed)


def scan(
    specs: Sequence[str],
    out: BinaryIO,
    options: ScanOptions,
    *,
    on_table: Callable[[Table], None] | None = None,
    on_batch: Callable[[Table | None, int], None] | None = None,
) -> ScanSummary:
    """Scan every source in ``specs``, writing findings to ``out``; never raises on bad input.

    Problems (unreadable paths, refused connections, malformed rows...) are counted in the
    summary (``summary.complete`` says whether everything was read).
    """
    started = time.perf_counter()
    summary = ScanSummary(located_in=options.located_in)

    from onshore.services.runtime.sources import open_tables  # the readers, by spec

    def tables() -> Iterator[Table]:
        for spec in specs:
            yield from open_tables(spec, options.limits)

    def finish(ts: TableSummary, result: BatchResult) -> None:
        if result.failed is not None:  # a bad batch is a warning, never a traceback
            ts.problems.append(
                Problem(
                    "batch_failed",
                    ts.label,
                    f"{result.rows} rows not classified: {result.failed}",
                    result.rows,
                    examples=((result.first_row, result.failed),),
                )
            )
            ts.skipped += result.rows
            return
        if result.spill is not None:
            _append_file(result.spill, out)
            os.unlink(result.spill)
        else:
            out.write(result.lines)
        summary.add(result)
        ts.findings += result.findings
        ts.rows += result.rows
        summary.rows += result.rows
        if on_batch is not None:
            on_batch(None, result.rows)

    jobs = _jobs(tables(), summary, options, on_table)
    if options.workers <= 1:
        for ts, job in jobs:
            finish(ts, process_safely(job))
    else:
        pending: list[tuple[TableSummary, Future[BatchResult]]] = []
        limit = max(2, options.workers * options.in_flight)
        with (
            tempfile.TemporaryDirectory(prefix="onshore-scan-") as spill,
            tempfile.TemporaryDirectory(prefix="onshore-scan-", dir=_ram_dir()) as fast,
            ProcessPoolExecutor(
                max_workers=options.workers, initializer=init_worker, initargs=(os.getpid(),)
            ) as pool,
        ):
            for ts, job in jobs:
                job.spill_dir, job.spill_fallback = fast, spill
                pending.append((ts, pool.submit(process_safely, job)))
                while len(pending) >= limit:
                    done_ts, fut = pending.pop(0)
                    finish(done_ts, fut.result())
            for done_ts, fut in pending:
                finish(done_ts, fut.result())
    summary.seconds = time.perf_counter() - started
    return summary


def _append_file(path: str, out: BinaryIO) -> None:
    """Copy the file at ``path`` to the end of ``out``: in the kernel (``sendfile``) when
    ``out`` is a real file, else through a buffer."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        sent = 0
        try:
            fd = out.fileno()
            out.flush()
            while sent < size:
                n = os.sendfile(fd, fh.fileno(), sent, size - sent)
                if n == 0:
                    break
                sent += n
        except (AttributeError, OSError, io.UnsupportedOperation):
            pass  # no file descriptor (BytesIO) or no sendfile here: copy the rest
        if sent < size:
            fh.seek(sent)
            shutil.copyfileobj(fh, out, 16 << 20)


#: Free space a RAM disk needs before batch outputs are parked there.
RAM_DIR_FREE = 1 << 30


def _ram_dir() -> str | None:
    """``/dev/shm`` when it is a writable directory with room (outputs then cost no disk
    I/O on their way to the findings file), else None (the default temporary directory)."""
    try:
        st = os.statvfs("/dev/shm")
    except OSError:
        return None
    if st.f_bavail * st.f_frsize < RAM_DIR_FREE or not os.access("/dev/shm", os.W_OK):
        return None
    return "/dev/shm"


def default_workers() -> int:
    """Every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


__all__ = ["SAMPLE", "ScanOptions", "ScanSummary", "TableSummary", "default_workers", "np", "scan"]
