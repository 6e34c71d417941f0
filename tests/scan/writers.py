"""Write a corpus table to every format ``onshore scan`` reads (test helper)."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

Rows = Sequence[dict[str, str | None]]


def write_csv(path: Path, columns: list[str], rows: Rows) -> Path:
    """CSV with a header; missing values as empty fields."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c) or "" for c in columns])
    return path


def write_jsonl(path: Path, columns: list[str], rows: Rows) -> Path:
    """One JSON object per line (null values omitted)."""
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            obj = {c: row[c] for c in columns if row.get(c) is not None}
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return path


def write_parquet(path: Path, columns: list[str], rows: Rows) -> Path:
    """A Parquet file of string columns."""
    table = pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in columns})
    pq.write_table(table, path, row_group_size=128)
    return path


def write_sqlite(path: Path, table: str, columns: list[str], rows: Rows) -> None:
    """A SQLite table of TEXT columns, rows in order."""
    conn = sqlite3.connect(path)
    try:
        cols = ", ".join(f'"{c}" TEXT' for c in columns)
        conn.execute(f'CREATE TABLE "{table}" ({cols})')
        marks = ", ".join("?" for _ in columns)
        conn.executemany(
            f'INSERT INTO "{table}" VALUES ({marks})', [[r.get(c) for c in columns] for r in rows]
        )
        conn.commit()
    finally:
        conn.close()


def write_postgres(url: str, table: str, columns: list[str], rows: Rows) -> None:
    """A PostgreSQL table of TEXT columns (rows in insertion order, read back by a seq scan)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url) as conn:
        ident = sql.Identifier(table)
        cols = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in columns)
        conn.execute(sql.SQL("CREATE TABLE {} ({})").format(ident, cols))
        with conn.cursor().copy(sql.SQL("COPY {} FROM STDIN").format(ident)) as copy:
            for r in rows:
                copy.write_row([r.get(c) for c in columns])
