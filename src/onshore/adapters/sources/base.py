"""What every scan source provides: labelled tables streamed as Arrow batches, plus problems.

The base class of the readers; the port they implement (``Table``, ``Limits``, ``Problem``) is
``onshore.ports.sources``.

Example:
    >>> p = Problem("invalid_utf8", "users.csv", "2 rows with invalid UTF-8 skipped", 2)
    >>> p.kind, p.count
    ('invalid_utf8', 2)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from onshore.ports.sources import (  # the port's values, re-exported for the readers
    INFO_KINDS,
    MAX_COLUMNS,
    MAX_DEPTH,
    MAX_LINE_BYTES,
    Limits,
    Problem,
    unique_names,
)

#: Rows per batch handed to the classifier.
BATCH_ROWS = 8192


#: Row examples (row number, reason) kept per problem kind; the count goes on.
MAX_EXAMPLES = 10


@dataclass
class Table:
    """One table of a source. Subclasses implement ``_batches``.

    ``batches()`` yields ``(row_numbers, batch)``: the 0-based data-row number of each batch
    row (numpy int64) and the batch, every column as strings (null for missing cells). Rows
    that could not be read still take their number, so findings point at the right row.
    ``problems`` fills while reading; ``rows_read`` and ``rows_skipped`` count data rows.
    """

    label: str
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    rows_skipped: int = 0
    bytes_total: int | None = None
    bytes_done: int = 0
    limits: Limits = field(default_factory=Limits)
    _examples: dict[str, list[tuple[int, str]]] = field(default_factory=dict, repr=False)

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
        """Stream the table; problems are recorded, never raised."""
        try:
            yield from self._batches(rows)
        except (OSError, ValueError, pa.ArrowException, RecursionError, MemoryError) as exc:
            self.problem(
                "unreadable",
                f"cannot read {self.label}: {exc.__class__.__name__}: {exc}",
                fatal=True,
            )

    def note(self, kind: str, row: int, reason: str) -> None:
        """Remember row ``row`` was skipped for ``reason`` (the first few per kind are kept
        and shown with the problem of that kind)."""
        kept = self._examples.setdefault(kind, [])
        if len(kept) < MAX_EXAMPLES:
            kept.append((row, reason))

    def _batches(self, rows: int) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
        raise NotImplementedError

    def problem(self, kind: str, message: str, count: int = 1, *, fatal: bool = False) -> None:
        """Record a problem (merging counts of the same kind)."""
        examples = tuple(self._examples.get(kind, ()))
        for i, p in enumerate(self.problems):
            if p.kind == kind and not fatal and not p.fatal:
                self.problems[i] = Problem(
                    kind, self.label, p.message, p.count + count, examples=examples
                )
                return
        self.problems.append(Problem(kind, self.label, message, count, fatal, examples))

    @property
    def complete(self) -> bool:
        """Whether every row was read."""
        return all(p.kind in INFO_KINDS for p in self.problems)


def string_batch(columns: list[str], rows: list[list[str | None]]) -> pa.RecordBatch:
    """A batch of string columns from row lists (short rows padded with nulls)."""
    width = len(columns)
    cols = [[r[i] if i < len(r) else None for r in rows] for i in range(width)]
    return pa.RecordBatch.from_arrays([pa.array(c, pa.string()) for c in cols], names=columns)


def looks_binary(head: bytes) -> bool:
    """Whether the first bytes of a file are binary (NUL bytes or mostly control bytes)."""
    if not head:
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control / len(head) > 0.1


__all__ = [
    "BATCH_ROWS",
    "INFO_KINDS",
    "MAX_COLUMNS",
    "MAX_DEPTH",
    "MAX_EXAMPLES",
    "MAX_LINE_BYTES",
    "Limits",
    "Problem",
    "Table",
    "looks_binary",
    "string_batch",
    "unique_names",
]
