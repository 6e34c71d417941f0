"""Import rows: a source batch turned into vault records, and the rows that cannot be.

Each row of a batch becomes a :class:`RowRecord` (its 0-based source row number and the
``RecordInput`` the vault takes) or a :class:`BadRow` (its row number, the column at fault
and why). A :class:`BadRowReport` writes bad rows as JSON Lines: the row number, the column,
a stable code and a reason, never a cell's value (no personal data leaves the source).

Example:
    >>> import pyarrow as pa, numpy as np
    >>> from onshore.core.import_mapping import Mapping
    >>> m = Mapping(subject="id").checked(["id", "phone"])
    >>> batch = pa.RecordBatch.from_pydict({"id": ["7", None], "phone": ["+8491", "x"]})
    >>> good, bad = rows_to_records("users", m, np.array([0, 1]), batch)
    >>> [g.row for g in good], [(b.row, b.column, b.code) for b in bad]
    ([0], [(1, 'id', 'import.missing_subject')])
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa

from onshore.core.import_mapping import Mapping, record_id
from onshore.services.intake import RecordInput


@dataclass(frozen=True, slots=True)
class RowRecord:
    """One source row, as the record the vault will store."""

    row: int
    item: RecordInput


@dataclass(frozen=True, slots=True)
class BadRow:
    """One source row that was not imported: where, and why (no cell value)."""

    row: int
    column: str | None
    code: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """The report line (row number, column, code, reason)."""
        return {"row": self.row, "column": self.column, "code": self.code, "reason": self.reason}


def _missing(row: int, column: str, what: str) -> BadRow:
    return BadRow(row, column, f"import.missing_{what}", f"the {what} column is empty")


def rows_to_records(
    name: str, mapping: Mapping, numbers: np.ndarray, batch: pa.RecordBatch
) -> tuple[list[RowRecord], list[BadRow]]:
    """The rows of ``batch`` (numbered by ``numbers``) as records of the import ``name``,
    and the rows without a subject, an id or a kind."""
    columns = batch.schema.names
    values = {c: batch.column(i).to_pylist() for i, c in enumerate(columns)}
    good: list[RowRecord] = []
    bad: list[BadRow] = []
    subject_col, id_col = mapping.subject, mapping.id_column
    for i, number in enumerate(numbers.tolist()):
        row = {c: v[i] for c, v in values.items()}
        subject = row.get(subject_col)
        if subject is None or not subject.strip():
            bad.append(_missing(number, subject_col, "subject"))
            continue
        row_id = row.get(id_col)
        if row_id is None or not row_id.strip():
            bad.append(_missing(number, id_col, "id"))
            continue
        data, signals, kind = mapping.record_parts(row)
        if not kind:
            bad.append(_missing(number, mapping.kind_column or "kind", "kind"))
            continue
        item = RecordInput(subject, kind, data, signals or None, None, record_id(name, row_id))
        good.append(RowRecord(number, item))
    return good, bad


class BadRowReport:
    """The bad-rows file of one import (JSON Lines, appended batch by batch).

    Opening it for a resumed import keeps only the lines of rows before ``keep_before``:
    rows after it are read again, so their lines would otherwise appear twice.
    """

    def __init__(self, path: Path, keep_before: int) -> None:
        self.path = path
        kept: list[str] = []
        if keep_before > 0 and path.exists():
            with path.open(encoding="utf-8") as fh:
                kept = [line for line in fh if _row_of(line) < keep_before]
        self._fh: IO[str] = path.open("w", encoding="utf-8")
        self._fh.writelines(kept)
        self._fh.flush()

    def write(self, rows: Iterable[BadRow]) -> None:
        """Append ``rows`` and flush them to the file."""
        for row in rows:
            self._fh.write(json.dumps(row.to_dict(), ensure_ascii=False) + "\n")
        self._fh.flush()

    def close(self) -> None:
        """Close the file."""
        self._fh.close()


def _row_of(line: str) -> int:
    try:
        return int(json.loads(line)["row"])
    except (ValueError, KeyError, TypeError):
        return -1
