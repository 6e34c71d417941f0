"""Helpers of the bind suites: a two-region SQLite vault and raw edits of its region files.

Edits go straight to the SQLite files with ``sqlite3`` (what an operator or an attacker
with file access could do), never through onshore.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from onshore.services.vault import Vault
from tests.vault.conftest import make_settings

#: The columns of a record row, in table order.
COLUMNS = (
    "record_id",
    "region",
    "subject_ref",
    "kind",
    "created_at",
    "categories",
    "key_id",
    "wrapped_key",
    "nonce",
    "ciphertext",
    "terms",
)


def open_vault(base: Path, *, create_keys: bool = True) -> Vault:
    """The default two-region deployment (vn-hcm, sg-1) on SQLite files under ``base``."""
    return Vault.open(make_settings(base), create_keys=create_keys)


def db_file(base: Path, region: str) -> Path:
    """The SQLite file of ``region``."""
    return base / f"{region}.db"


def connect(base: Path, region: str) -> sqlite3.Connection:
    """A raw connection to a region's file (autocommit)."""
    return sqlite3.connect(str(db_file(base, region)), isolation_level=None, timeout=10)


def row(base: Path, region: str, record_id: str) -> dict[str, Any]:
    """A record row as stored."""
    with connect(base, region) as conn:
        found = conn.execute(
            f"SELECT {', '.join(COLUMNS)} FROM records WHERE record_id = ?", (record_id,)
        ).fetchone()
    assert found is not None, record_id
    return dict(zip(COLUMNS, found, strict=True))


def put_row(base: Path, region: str, values: dict[str, Any]) -> None:
    """Insert or replace a raw row (and nothing else)."""
    marks = ", ".join("?" * len(COLUMNS))
    with connect(base, region) as conn:
        conn.execute(
            f"INSERT OR REPLACE INTO records ({', '.join(COLUMNS)}) VALUES ({marks})",
            [values[c] for c in COLUMNS],
        )


def delete_row(base: Path, region: str, record_id: str) -> None:
    """Delete a raw row."""
    with connect(base, region) as conn:
        conn.execute("DELETE FROM records WHERE record_id = ?", (record_id,))


def set_column(base: Path, region: str, record_id: str, column: str, value: Any) -> None:
    """Overwrite one column of one row."""
    assert column in COLUMNS
    with connect(base, region) as conn:
        cur = conn.execute(
            f"UPDATE records SET {column} = ? WHERE record_id = ?", (value, record_id)
        )
        assert cur.rowcount == 1


def flip(blob: bytes, position: int) -> bytes:
    """``blob`` with one bit of the byte at ``position`` flipped."""
    out = bytearray(blob)
    out[position % len(out)] ^= 0x01
    return bytes(out)
