"""Parquet files, read one row group slice at a time with pyarrow (columns cast to strings)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from onshore.adapters.sources.base import Table


def as_strings(column: pa.Array) -> pa.Array:
    """``column`` as a string array (nested values as JSON text).

    Example:
        >>> as_strings(pa.array([1, None])).to_pylist()
        ['1', None]
    """
    if pa.types.is_string(column.type):
        return column
    if pa.types.is_large_string(column.type) or pa.types.is_dictionary(column.type):
        return pc.cast(column, pa.string())
    if pa.types.is_nested(column.type):
        return pa.array(
            [
                None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                for v in column.to_pylist()
            ],
            pa.string(),
        )
    try:
        return pc.cast(column, pa.string())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
        return pa.array([None if v is None else str(v) for v in column.to_pylist()], pa.string())


class ParquetTable(Table):
    """One Parquet file."""

    def __init__(self, path: Path) -> None:
        super().__init__(label=path.name)
        self.path = path

    def _batches(self, rows: int) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
        self.bytes_total = self.path.stat().st_size
        if self.bytes_total == 0:
            self.problem("empty", f"{self.label} is empty")
            return
        try:
            pf = pq.ParquetFile(self.path)
        except (pa.ArrowInvalid, OSError) as exc:
            self.problem(
                "unreadable", f"{self.label} is not a readable Parquet file: {exc}", fatal=True
            )
            return
        total = max(1, pf.metadata.num_rows)
        index = 0
        for batch in pf.iter_batches(batch_size=max(rows, 65536)):
            arrays = [as_strings(c) for c in batch.columns]
            out = pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)
            yield np.arange(index, index + batch.num_rows, dtype=np.int64), out
            index += batch.num_rows
            self.rows_read += batch.num_rows
            self.bytes_done = int(self.bytes_total * index / total)

    def sample(self, rows: int) -> pa.RecordBatch | None:
        """The first ``rows`` rows as strings (for column verdicts), or None when unreadable."""
        try:
            pf = pq.ParquetFile(self.path)
            batch = next(pf.iter_batches(batch_size=rows), None)
        except (pa.ArrowException, OSError):
            return None
        if batch is None:
            return None
        return pa.RecordBatch.from_arrays(
            [as_strings(c) for c in batch.columns], names=batch.schema.names
        )

    def slices(self) -> list[ParquetSlice]:
        """One independently readable slice per row group (workers read them in parallel)."""
        try:
            meta = pq.ParquetFile(self.path).metadata
        except (pa.ArrowException, OSError):
            return []
        out: list[ParquetSlice] = []
        first = 0
        for i in range(meta.num_row_groups):
            n = meta.row_group(i).num_rows
            out.append(ParquetSlice(str(self.path), i, first, n))
            first += n
        self.bytes_total = self.path.stat().st_size
        return out


@dataclass(frozen=True)
class ParquetSlice:
    """One row group of a Parquet file, read where it is processed."""

    path: str
    row_group: int
    first_row: int
    num_rows: int

    def read(self) -> tuple[np.ndarray, pa.RecordBatch]:
        """Row numbers and the row group as string columns."""
        table = pq.ParquetFile(self.path).read_row_group(self.row_group)
        arrays = [as_strings(c.combine_chunks()) for c in table.columns]
        batch = pa.RecordBatch.from_arrays(arrays, names=table.schema.names)
        rows = np.arange(self.first_row, self.first_row + batch.num_rows, dtype=np.int64)
        return rows, batch
