"""One batch of one table: classify every column, infer each row's subject country, encode.

Runs in worker processes (everything here is picklable); per-process caches hold the
recognizer registry and the offline IP database.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onshore import failpoints
from onshore.core.classify.column import ColumnVerdict
from onshore.core.classify.registry import default_registry
from onshore.core.classify.subject_country import PRIORITY
from onshore.ports.sources import TableSlice
from onshore.services.scan.blocks import Block
from onshore.services.scan.columns import scan_column
from onshore.services.scan.encode import encode_block, json_countries

failpoints.register("scan.batch", "a scan worker is about to classify a batch")

#: Batch outputs above this size go through a file, not the result pipe.
SPILL_BYTES = 1 << 20


@dataclass(frozen=True)
class VerdictSpec:
    """A column verdict by recognizer names (cheap to send to a worker)."""

    column: str
    named: str | None
    detectors: tuple[str, ...]
    name_only: str | None
    free_text: bool
    reason: str

    def verdict(self) -> ColumnVerdict:
        """The verdict with this process's recognizers."""
        reg = default_registry()
        recs = tuple(r for r in (reg.get(n) for n in self.detectors) if r is not None)
        return ColumnVerdict(
            self.column, self.named, recs, self.name_only, self.free_text, self.reason
        )


@dataclass
class Job:
    """A batch to classify (or a slice the worker reads itself: ``batch`` is then None)."""

    source: str
    rows: np.ndarray | None
    batch: pa.RecordBatch | None
    verdicts: tuple[VerdictSpec, ...]
    preview: bool = False
    located: bool = False
    violations: dict[str, bool] = field(default_factory=dict)
    slice: TableSlice | None = None
    #: Directory where a worker leaves large outputs instead of sending them back.
    spill_dir: str | None = None
    #: Where large outputs go when ``spill_dir`` is full (a RAM disk may fill up).
    spill_fallback: str | None = None


@dataclass
class BatchResult:
    """Encoded findings and counts of one batch."""

    lines: bytes = b""
    spill: str | None = None
    rows: int = 0
    findings: int = 0
    rows_with_findings: int = 0
    vn_subject_rows: int = 0
    violations: int = 0
    violation_rows: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    subject_countries: Counter[str] = field(default_factory=Counter)
    violations_by_category: Counter[str] = field(default_factory=Counter)
    #: Why the batch could not be classified (its rows are then counted as skipped).
    failed: str | None = None
    #: The data-row number of the batch's first row (for the warning of a failed batch).
    first_row: int = 0


@lru_cache(maxsize=1)
def _lookup() -> object:
    from onshore.services.runtime.sources import offline_country_lookup

    return offline_country_lookup()


def _values(batch: pa.RecordBatch, block: Block) -> list[str]:
    cells = batch.column(block.column).take(pa.array(block.pos)).to_pylist()
    if block.start is None or block.end is None:
        return [str(c) for c in cells]
    return [
        str(c)[s:e] for c, s, e in zip(cells, block.start.tolist(), block.end.tolist(), strict=True)
    ]


def _subject_countries(batch: pa.RecordBatch, blocks: list[Block]) -> np.ndarray:
    """Each row's subject country from its strongest evidence (DESIGN §2 order); the IP
    database is asked only for rows with no stronger evidence."""
    country = np.full(batch.num_rows, None, dtype=object)
    rank = {c: i for i, c in enumerate(PRIORITY)}
    direct = sorted(
        (b for b in blocks if b.category in rank and b.category != "ip_address"),
        key=lambda b: -rank[b.category],
    )
    for block in direct:  # weakest first, so stronger evidence overwrites
        if not isinstance(block.country, np.ndarray):  # one country for the whole block
            if block.country is not None:
                country[block.pos] = block.country
            continue
        values = block.country
        known = values != None  # noqa: E711 - element-wise on an object array
        if known.any():
            country[block.pos[known]] = values[known]
    for block in (b for b in blocks if b.category == "ip_address"):
        need = country[block.pos] == None  # noqa: E711
        if not need.any():
            continue
        lookup = _lookup()
        sub = Block(
            block.pos[need],
            block.rows[need],
            block.column,
            block.category,
            block.detector,
            0.0,
            None,
            None if block.start is None else block.start[need],
            None if block.end is None else block.end[need],
        )
        cache: dict[str, str | None] = {}
        for p, ip in zip(sub.pos.tolist(), _values(batch, sub), strict=True):
            if country[p] is not None:
                continue
            if ip not in cache:
                cache[ip] = lookup.country_of(ip.split("/")[0].split("%")[0])  # type: ignore[attr-defined]
            if cache[ip] is not None:
                country[p] = cache[ip]
    return country


def _spill(chunks: list[bytes | bytearray], *dirs: str | None) -> str | None:
    """Write ``chunks`` to a new file in the first directory with room; its path, or None."""
    for where in dirs:
        if where is None:
            continue
        fd, path = tempfile.mkstemp(dir=where, suffix=".jsonl")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.writelines(chunks)
        except OSError:  # full (a RAM disk): try the next one
            os.unlink(path)
            continue
        return path
    return None


def process_safely(job: Job) -> BatchResult:
    """``process``, with any failure returned as ``failed`` (the scan goes on without it)."""
    try:
        return process(job)
    except Exception as exc:  # one bad batch must not end the scan
        rows = job.batch.num_rows if job.batch is not None else 0
        first = int(job.rows[0]) if job.rows is not None and len(job.rows) else 0
        reason = f"{exc.__class__.__name__}: {str(exc)[:200]}"
        return BatchResult(rows=rows, failed=reason, first_row=first)


def process(job: Job) -> BatchResult:
    """Classify one batch: findings (encoded) and counts."""
    failpoints.hit("scan.batch")
    if job.batch is None or job.rows is None:
        if job.slice is None:
            return BatchResult()
        job.rows, job.batch = job.slice.read()
    batch, rows = job.batch, job.rows
    result = BatchResult(rows=batch.num_rows)
    blocks: list[Block] = []
    index = {name: i for i, name in enumerate(batch.schema.names)}  # once: a list per column
    for spec in job.verdicts:  # was quadratic in the columns
        if not (spec.detectors or spec.name_only or spec.free_text):
            continue  # nothing to look for (most columns of a wide table)
        at = index.get(spec.column)
        if at is None:
            continue
        blocks.extend(scan_column(spec.verdict(), batch.column(at), rows))
    if not blocks:
        return result
    country = _subject_countries(batch, blocks)
    hit_rows = np.zeros(batch.num_rows, dtype=bool)
    viol_rows = np.zeros(batch.num_rows, dtype=bool)
    chunks: list[bytes | bytearray] = []
    subject_json = json_countries(country)
    for block in blocks:
        if job.located:  # the encoder takes subject countries from ``subject_json``
            block.subject_country = country[block.pos]
            is_vn = np.asarray(block.subject_country == "VN", dtype=bool)
            block.violation = is_vn & bool(job.violations.get(block.category, False))
            n_viol = int(block.violation.sum())
            if n_viol:
                result.violations += n_viol
                result.violations_by_category[block.category] += n_viol
                viol_rows[block.pos[block.violation]] = True
        if job.preview:
            block.values = _values(batch, block)
        chunks.append(
            encode_block(
                job.source,
                block,
                located=job.located,
                preview=job.preview,
                subject_json=subject_json,
            )
        )
        result.findings += len(block)
        result.categories[block.category] += len(block)
        hit_rows[block.pos] = True
    if job.spill_dir is not None and sum(len(c) for c in chunks) > SPILL_BYTES:
        result.spill = _spill(chunks, job.spill_dir, job.spill_fallback)
    if result.spill is None:
        result.lines = b"".join(chunks)
    result.rows_with_findings = int(hit_rows.sum())
    counts = pc.value_counts(subject_json.filter(pa.array(hit_rows))).to_pylist()
    result.subject_countries.update(
        {c["values"][1:-1]: c["counts"] for c in counts if c["values"] != "null"}
    )
    result.vn_subject_rows = result.subject_countries.get("VN", 0)
    result.violation_rows = int(viol_rows.sum())
    return result
