"""JSON Lines files: one object per line; nested objects flatten to dotted column names.

``row`` is the 0-based line number. Lines that are not JSON objects, invalid UTF-8 or over
long are skipped and counted; lists and scalars inside objects become JSON text cells.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from onshore.adapters.sources.base import Limits, Table, looks_binary
from onshore.adapters.sources.lines import LineReader


def flatten(
    obj: Mapping[str, object], prefix: str = "", out: dict[str, str | None] | None = None
) -> dict[str, str | None]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": "1"}`` (strings stay as they are, lists as JSON).

    Example:
        >>> flatten({"user": {"sdt": "0912345678", "tags": ["a"]}, "n": None})
        {'user.sdt': '0912345678', 'user.tags': '["a"]', 'n': None}
    """
    result: dict[str, str | None] = {} if out is None else out
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flatten(value, f"{name}.", result)
        elif value is None or isinstance(value, str):
            result[name] = value
        elif isinstance(value, bool | int | float):
            result[name] = json.dumps(value)
        else:
            result[name] = json.dumps(value, ensure_ascii=False)
    return result


#: A file holding one JSON array is loaded whole up to this size, else reported.
MAX_ARRAY_BYTES = 256 << 20


def depth_over(value: object, limit: int) -> bool:
    """Whether ``value`` nests objects/arrays deeper than ``limit`` (iterative: no recursion).

    Example:
        >>> depth_over({"a": [{"b": 1}]}, 3), depth_over({"a": [{"b": 1}]}, 2)
        (False, True)
    """
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: list[object] | object = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth + 1 > limit:
            return True
        stack.extend((child, depth + 1) for child in children)  # type: ignore[union-attr]
    return False


def _leaves(value: object) -> int:
    """How many columns ``flatten`` makes of ``value`` (objects count their members)."""
    if not isinstance(value, dict):
        return 1
    return sum(_leaves(v) for v in value.values()) or 0


class JsonlTable(Table):
    """One JSON Lines file (or a JSON file holding one array of objects)."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        super().__init__(label=path.name, limits=limits or Limits())
        self.path = path

    def _record(self, obj: object, index: int) -> dict[str, str | None] | None:
        """``obj`` flattened, or None (skipped, counted with its row and reason)."""
        if not isinstance(obj, dict):
            self.note("malformed_row", index, f"a JSON {type(obj).__name__}, not an object")
            return None
        limit = self.limits.max_depth
        if depth_over(obj, limit):
            self.note("too_deep", index, f"nested deeper than {limit} levels (--max-depth)")
            return None
        if _leaves(obj) > self.limits.max_columns:
            self.note(
                "too_many_columns",
                index,
                f"over {self.limits.max_columns:,} fields (--max-columns)",
            )
            return None
        return flatten(obj)

    def _array(self, fh: BinaryIO, rows: int) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
        """A ``[{...}, {...}]`` document: ``row`` is the index in the array."""
        if (self.bytes_total or 0) > MAX_ARRAY_BYTES:
            self.problem(
                "too_large", f"{self.label}: a single JSON document over 256 MiB", fatal=True
            )
            return
        fh.seek(0)
        try:
            items = _array_records(json.loads(fh.read().decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as exc:
            self.problem("malformed_row", f"{self.label} is not valid JSON: {exc}", fatal=True)
            return
        except RecursionError:
            self.problem(
                "too_deep",
                f"{self.label}: a JSON document nested too deep to read (--max-depth)",
                fatal=True,
            )
            return
        self.bytes_done = self.bytes_total or 0
        pending = _Pending(self.limits.max_columns)
        bad = deep = wide = 0
        for index, obj in enumerate(items):
            record = self._record(obj, index)
            if record is None:
                if not isinstance(obj, dict):
                    bad += 1
                elif depth_over(obj, self.limits.max_depth):
                    deep += 1
                else:
                    wide += 1
                self.rows_skipped += 1
                continue
            if not pending.room_for(record):
                yield pending.take()
            pending.add(record, index)
            self.rows_read += 1
            if len(pending.records) >= rows:
                yield pending.take()
        if pending.records:
            yield pending.take()
        if bad:
            self.problem("malformed_row", f"{bad} array items that are not objects skipped", bad)
        self._limit_problems(deep, wide)

    def _limit_problems(self, deep: int, wide: int) -> None:
        if deep:
            self.problem(
                "too_deep",
                f"{deep} documents nested deeper than {self.limits.max_depth} levels skipped",
                deep,
            )
        if wide:
            self.problem(
                "too_many_columns",
                f"{wide} documents with over {self.limits.max_columns:,} fields skipped",
                wide,
            )

    def _batches(self, rows: int) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
        self.bytes_total = self.path.stat().st_size
        bad_json = bad_utf8 = deep = wide = 0
        with self.path.open("rb") as fh:
            head = fh.read(8192)
            if not head.strip():
                self.problem("empty", f"{self.label} is empty")
                return
            if looks_binary(head):
                self.problem("binary", f"{self.label} is not text (binary content)", fatal=True)
                return
            if head.lstrip()[:1] == b"[":
                yield from self._array(fh, rows)
                return
            fh.seek(0)
            lines = LineReader(fh, max_line=self.limits.max_line_bytes)
            pending = _Pending(self.limits.max_columns)
            for index, raw in enumerate(lines):
                self.bytes_done = lines.bytes_read
                if raw is None:
                    self.note(
                        "line_too_long",
                        index,
                        f"a line over {self.limits.max_line_bytes:,} bytes (--max-line-bytes)",
                    )
                    self.rows_skipped += 1
                    continue
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    bad_utf8 += 1
                    self.note("invalid_utf8", index, "invalid UTF-8")
                    self.rows_skipped += 1
                    continue
                except RecursionError:
                    deep += 1
                    self.note(
                        "too_deep",
                        index,
                        f"nested deeper than {self.limits.max_depth} levels (--max-depth)",
                    )
                    self.rows_skipped += 1
                    continue
                except ValueError as exc:
                    bad_json += 1
                    self.note("malformed_row", index, f"not JSON: {exc}")
                    self.rows_skipped += 1
                    continue
                record = self._record(obj, index)
                if record is None:
                    if not isinstance(obj, dict):
                        bad_json += 1
                    elif depth_over(obj, self.limits.max_depth):
                        deep += 1
                    else:
                        wide += 1
                    self.rows_skipped += 1
                    continue
                if not pending.room_for(record):
                    yield pending.take()
                pending.add(record, index)
                self.rows_read += 1
                if len(pending.records) >= rows:
                    yield pending.take()
            if pending.records:
                yield pending.take()
        if bad_utf8:
            self.problem("invalid_utf8", f"{bad_utf8} lines with invalid UTF-8 skipped", bad_utf8)
        if bad_json:
            self.problem(
                "malformed_row", f"{bad_json} lines that are not JSON objects skipped", bad_json
            )
        if lines.too_long:
            self.problem(
                "line_too_long", f"{lines.too_long} over-long lines skipped", lines.too_long
            )
        self._limit_problems(deep, wide)


#: A batch's cells (rows x columns) stay within this many times the fields it holds, plus
#: ``SPARSE_FLOOR``: documents that each have their own keys cost time linear in what they
#: hold (one batch of 8,192 such rows was 8,192 x 8,192 mostly empty cells).
SPARSE_FACTOR = 64
SPARSE_FLOOR = 1 << 16


class _Pending:
    """The records of the batch being gathered, with its columns and field count."""

    def __init__(self, max_columns: int) -> None:
        self.max_columns = max_columns
        self.records: list[dict[str, str | None]] = []
        self.numbers: list[int] = []
        self.columns: set[str] = set()
        self.fields = 0

    def room_for(self, record: dict[str, str | None]) -> bool:
        """Whether ``record`` joins this batch (within the column limit, dense enough)."""
        if not self.records:
            return True
        columns = len(self.columns) + sum(1 for key in record if key not in self.columns)
        cells = (len(self.records) + 1) * columns
        fields = self.fields + len(record)
        return columns <= self.max_columns and cells <= SPARSE_FACTOR * fields + SPARSE_FLOOR

    def add(self, record: dict[str, str | None], number: int) -> None:
        """Add ``record`` (data row ``number``)."""
        self.records.append(record)
        self.numbers.append(number)
        self.columns.update(record)
        self.fields += len(record)

    def take(self) -> tuple[np.ndarray, pa.RecordBatch]:
        """The batch gathered so far (then empty)."""
        out = np.array(self.numbers, dtype=np.int64), _batch(self.records)
        self.records, self.numbers, self.columns, self.fields = [], [], set(), 0
        return out


def _array_records(data: object) -> list[object]:
    return data if isinstance(data, list) else []


def _batch(records: list[dict[str, str | None]]) -> pa.RecordBatch:
    columns: dict[str, None] = {}
    for rec in records:
        for key in rec:
            columns.setdefault(key, None)
    arrays = [pa.array([r.get(c) for r in records], pa.string()) for c in columns]
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))
