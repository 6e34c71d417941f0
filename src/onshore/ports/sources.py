"""The scan source port: tables streamed as Arrow batches of strings, and what they skipped.

Readers (``onshore.adapters.sources``: CSV, JSON Lines, Parquet, SQLite, PostgreSQL) implement
``Table``; a reader whose table splits into independently readable parts (Parquet row groups)
also implements ``SlicedTable``, and scan workers read those ``TableSlice``s themselves.
``onshore.services.scan`` depends on this port only; the runtime opens the readers.

Example:
    >>> p = Problem("invalid_utf8", "users.csv", "2 rows with invalid UTF-8 skipped", 2)
    >>> p.kind, p.count, Limits().max_columns
    ('invalid_utf8', 2, 16384)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

#: Problem kinds that are warnings about input read in full (the scan stays complete).
INFO_KINDS = frozenset({"empty", "duplicate_column"})


#: Default limits of a scan (``onshore scan --max-line-bytes --max-columns --max-depth``).
MAX_LINE_BYTES = 8 << 20
MAX_COLUMNS = 16_384
MAX_DEPTH = 64


@dataclass(frozen=True, slots=True)
class Limits:
    """What one row or document of a scan may be: bigger ones are skipped and counted.

    ``max_line_bytes``: a line (CSV record line, JSON line) longer than this is skipped
    without being held in memory; ``max_columns``: a table with more columns is not read
    (a JSON line with more fields is skipped); ``max_depth``: a JSON document nested deeper
    is skipped.
    """

    max_line_bytes: int = MAX_LINE_BYTES
    max_columns: int = MAX_COLUMNS
    max_depth: int = MAX_DEPTH


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a reader skipped: ``kind`` (stable), where, a message, how many rows, and
    the first few rows with their reason (``examples``: ``(row, reason)``)."""

    kind: str
    source: str
    message: str
    count: int = 1
    fatal: bool = False
    examples: tuple[tuple[int, str], ...] = ()


@runtime_checkable
class Table(Protocol):
    """One table of a source, streamed; ``problems`` fills while reading, never raises.

    ``batches()`` yields ``(row_numbers, batch)``: the 0-based data-row number of each batch
    row (numpy int64) and the batch, every column as strings (null for missing cells).
    """

    label: str
    problems: list[Problem]
    rows_read: int
    rows_skipped: int
    bytes_total: int | None
    bytes_done: int

    def batches(self, rows: int = ...) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
        """Stream the table; problems are recorded, never raised."""

    def problem(self, kind: str, message: str, count: int = 1, *, fatal: bool = False) -> None:
        """Record a problem (merging counts of the same kind)."""


@runtime_checkable
class TableSlice(Protocol):
    """One independently readable part of a table (picklable: read in a worker process)."""

    def read(self) -> tuple[np.ndarray, pa.RecordBatch]:
        """Row numbers and the part's rows as string columns."""


@runtime_checkable
class SlicedTable(Table, Protocol):
    """A table whose parts workers read themselves (a Parquet file's row groups)."""

    def sample(self, rows: int) -> pa.RecordBatch | None:
        """The first ``rows`` rows as strings (for column verdicts), or None when unreadable."""

    def slices(self) -> list[TableSlice]:
        """One slice per independently readable part."""


def unique_names(names: list[str]) -> tuple[list[str], list[str]]:
    """``names`` with repeats renamed ``name_2``, ``name_3``... and the repeated names.

    Example:
        >>> unique_names(["phone", "phone", "email", "phone"])
        (['phone', 'phone_2', 'email', 'phone_3'], ['phone'])
    """
    taken = set(names)
    seen: dict[str, int] = {}
    out: list[str] = []
    repeated: list[str] = []
    for name in names:
        if name not in seen:
            seen[name] = 1
            out.append(name)
            continue
        if seen[name] == 1:
            repeated.append(name)
        n = seen[name]
        while True:
            n += 1
            candidate = f"{name}_{n}"
            if candidate not in taken:
                break
        seen[name] = n
        taken.add(candidate)
        out.append(candidate)
    return out, repeated
