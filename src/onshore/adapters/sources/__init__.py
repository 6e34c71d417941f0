"""Readers for ``onshore scan``: CSV, JSON Lines, Parquet files and SQLite/PostgreSQL tables.

Every reader streams its input as Arrow record batches of string columns (bounded memory:
one batch at a time) and counts what it could not read instead of failing: malformed rows,
invalid UTF-8, over-long lines, binary files, unreadable paths, refused connections. The
scanner turns those counts into warnings and the exit code.

Example:
    >>> from pathlib import Path
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()); (d / "u.csv").write_text("sdt\\n0912345678\\n")
    15
    >>> [t.label for t in open_tables(str(d / "u.csv"))]
    ['u.csv']
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from onshore.adapters.sources.base import Limits, Problem, Table
from onshore.adapters.sources.csv_file import CsvTable
from onshore.adapters.sources.jsonl_file import JsonlTable
from onshore.adapters.sources.parquet_file import ParquetTable

__all__ = ["Limits", "Problem", "Table", "open_tables"]


class _Unreadable(Table):
    def _batches(self, rows: int) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
        return iter(())


_SUFFIXES = {".csv": CsvTable, ".tsv": CsvTable, ".jsonl": JsonlTable, ".ndjson": JsonlTable}


def _file_tables(path: Path) -> Iterator[Table]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.suffix.lower() in {*_SUFFIXES, ".parquet", ".json"}:
                yield from _file_tables(child)
        return
    if path.exists() and not path.is_file():
        failed = _Unreadable(label=path.name or str(path))
        failed.problem("unreadable", f"{path} is not a regular file", fatal=True)
        yield failed
        return
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        yield ParquetTable(path)
    elif suffix in (".jsonl", ".ndjson", ".json"):
        yield JsonlTable(path)
    else:
        yield CsvTable(path)


def open_tables(spec: str, limits: Limits | None = None) -> Iterator[Table]:
    """The tables behind ``spec``: a file, a directory of files, or a database URL.

    ``sqlite:///path.db`` and ``postgresql://...`` yield one table per user table; files
    are read by suffix (``.parquet``, ``.jsonl``/``.ndjson``/``.json``, anything else as CSV).
    A path that cannot be opened yields a table whose reading reports the problem.
    ``limits`` bound a line, the columns and the nesting of what is read (``Limits()``).
    """
    for table in _open_tables(spec):
        table.limits = limits or Limits()
        yield table


def _open_tables(spec: str) -> Iterator[Table]:
    if spec.startswith("sqlite:"):
        from onshore.adapters.sources.sqlite_db import sqlite_tables

        yield from sqlite_tables(spec)
    elif spec.startswith(("postgresql:", "postgres:")):
        from onshore.adapters.sources.postgres_db import postgres_tables

        yield from postgres_tables(spec)
    elif spec.startswith("s3://"):
        from onshore.adapters.sources.s3_objects import s3_tables

        yield from s3_tables(spec)
    else:
        yield from _file_tables(Path(spec))
