"""CSV (and TSV) files: header row, then data rows; bad rows are skipped and counted.

Handles: a UTF-8 BOM, quoted fields spanning lines, the delimiter chosen from the header
and first rows (``,``, ``;``, tab, ``|``: ``csv_delimiter``), invalid UTF-8 (row skipped),
rows with the wrong number of fields (skipped), over-long lines (skipped without being held
in memory), binary files named ``.csv`` and empty files (reported).
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from onshore.adapters.sources.base import Limits, Table, looks_binary, string_batch, unique_names
from onshore.adapters.sources.csv_delimiter import SAMPLE_ROWS, delimiter
from onshore.adapters.sources.lines import LineReader

_BAD = "\ue000onshore-bad-line\ue000"
_BAD_UTF8 = _BAD + "utf8"
_BAD_LONG = _BAD + "long"
csv.field_size_limit(1 << 30)


class CsvTable(Table):
    """One CSV file."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        super().__init__(label=path.name, limits=limits or Limits())
        self.path = path
        self.invalid_utf8 = 0

    def _decoded(self, reader: LineReader) -> Iterator[str]:
        for raw in reader:
            if raw is None:
                yield _BAD_LONG + "\n"
                continue
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                self.invalid_utf8 += 1
                yield _BAD_UTF8 + "\n"
            self.bytes_done = reader.bytes_read

    def _batches(self, rows: int) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
        self.bytes_total = self.path.stat().st_size
        with self.path.open("rb") as fh:
            head = fh.read(8192)
            if not head.strip():
                self.problem("empty", f"{self.label} is empty")
                return
            if looks_binary(head):
                self.problem("binary", f"{self.label} is not text (binary content)", fatal=True)
                return
            fh.seek(0)
            lines = LineReader(fh, max_line=self.limits.max_line_bytes)
            text = self._decoded(lines)
            first = next(text, "")
            header_line = first.lstrip("\ufeff")
            if _BAD in header_line:
                self.problem("bad_header", f"{self.label}: unreadable header line", fatal=True)
                return
            sample = list(itertools.islice(text, SAMPLE_ROWS))
            text = itertools.chain(sample, text)
            delim = delimiter(header_line.rstrip("\r\n"), [s.rstrip("\r\n") for s in sample])
            try:
                header = next(csv.reader([header_line], delimiter=delim))
            except (csv.Error, StopIteration):
                self.problem("bad_header", f"{self.label}: unreadable header line", fatal=True)
                return
            if len(header) > self.limits.max_columns:
                self.problem(
                    "too_many_columns",
                    f"{len(header):,} columns, over the limit of "
                    f"{self.limits.max_columns:,} (--max-columns): not read",
                    fatal=True,
                )
                return
            columns, repeated = unique_names(
                [h.strip() or f"column_{i}" for i, h in enumerate(header)]
            )
            if repeated:
                shown = ", ".join(repr(r) for r in repeated[:5])
                self.problem(
                    "duplicate_column",
                    f"repeated column names {shown} read as name_2, name_3...",
                    len(repeated),
                )
            reader = csv.reader(text, delimiter=delim)
            batch: list[list[str | None]] = []
            numbers: list[int] = []
            index = 0
            malformed = 0
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    malformed += 1
                    self.note("malformed_row", index, f"not CSV: {exc}")
                    self.rows_skipped += 1
                    index += 1
                    continue
                if not row:
                    continue
                if row[0].startswith(_BAD) or any(_BAD in cell for cell in row):
                    if any(_BAD_UTF8 in cell for cell in row):
                        self.note("invalid_utf8", index, "invalid UTF-8")
                    else:
                        self.note(
                            "line_too_long",
                            index,
                            f"a line over {self.limits.max_line_bytes:,} bytes",
                        )
                    self.rows_skipped += 1
                    index += 1
                    continue
                if len(row) != len(columns):
                    malformed += 1
                    self.note(
                        "malformed_row", index, f"{len(row)} fields, the header has {len(columns)}"
                    )
                    self.rows_skipped += 1
                    index += 1
                    continue
                batch.append([c if c != "" else None for c in row])
                numbers.append(index)
                index += 1
                self.rows_read += 1
                if len(batch) >= rows:
                    yield np.array(numbers, dtype=np.int64), string_batch(columns, batch)
                    batch, numbers = [], []
            if batch:
                yield np.array(numbers, dtype=np.int64), string_batch(columns, batch)
        if self.invalid_utf8:
            self.problem(
                "invalid_utf8",
                f"{self.invalid_utf8} lines with invalid UTF-8 skipped",
                self.invalid_utf8,
            )
        if lines.too_long:
            self.problem(
                "line_too_long", f"{lines.too_long} over-long lines skipped", lines.too_long
            )
        if malformed:
            self.problem("malformed_row", f"{malformed} malformed rows skipped", malformed)
        if index == 0 and not self.problems:
            self.problem("empty", f"{self.label} has a header but no rows")
