"""SQLite databases (``sqlite:///path.db``): every user table, streamed with ``fetchmany``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa

from onshore.adapters.sources.base import Table, string_batch


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


class SqliteTable(Table):
    """One table of a SQLite database."""

    def __init__(self, path: Path, table: str, label: str) -> None:
        super().__init__(label=label)
        self.path = path
        self.table = table

    def _batches(self, rows: int) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            quoted = '"' + self.table.replace('"', '""') + '"'
            self.bytes_total = conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
            cur = conn.execute(f"SELECT * FROM {quoted}")
            columns = [d[0] for d in cur.description]
            index = 0
            while chunk := cur.fetchmany(rows):
                data = [[_cell(v) for v in row] for row in chunk]
                yield (
                    np.arange(index, index + len(data), dtype=np.int64),
                    string_batch(columns, data),
                )
                index += len(data)
                self.rows_read += len(data)
                self.bytes_done = index
        except sqlite3.Error as exc:
            self.problem("unreadable", f"{self.label}: {exc}", fatal=True)
        finally:
            conn.close()


class _Failed(Table):
    def _batches(self, rows: int) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
        return iter(())


def sqlite_tables(url: str) -> Iterator[Table]:
    """The user tables of the SQLite database at ``url`` (``sqlite:///relative`` or ``////abs``)."""
    path = Path(url.split(":", 1)[1].removeprefix("///").removeprefix("//"))
    if url.startswith("sqlite:////"):
        path = Path("/" + str(path).lstrip("/"))
    if not path.is_file():
        failed = _Failed(label=str(path))
        failed.problem("unreadable", f"no SQLite database at {path}", fatal=True)
        yield failed
        return
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master"
                    " WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        failed = _Failed(label=str(path))
        failed.problem("unreadable", f"{path} is not a readable SQLite database: {exc}", fatal=True)
        yield failed
        return
    for name in names:
        yield SqliteTable(path, name, f"{path.name}:{name}")
