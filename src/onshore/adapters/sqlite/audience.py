"""SQLite audience store: the tables of ``adapters.sql.audience`` in the region's file.

A batch's rows are written with ``executemany`` (the batch number as a literal: one
parameter less to bind per row); the staging table is a ``temp`` table made anew for each
batch that revisits known days.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from onshore.adapters.sql.audience import METRIC_COLUMNS, SqlAudienceStore, batch_rows
from onshore.adapters.sql.dialect import SQLITE

if TYPE_CHECKING:
    import pyarrow as pa


class SqliteAudienceStore(SqlAudienceStore):
    """Audience metrics in the region's SQLite file.

    Example:
        >>> import tempfile, pathlib
        >>> from onshore.adapters.sqlite.database import SqliteDatabase
        >>> db = SqliteDatabase("sqlite:///a.db", pathlib.Path(tempfile.mkdtemp()) / "a.db")
        >>> db.audience.series("acct-1", "VN")
        []
        >>> db.close()
    """

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS audience_batches (
        seq INTEGER PRIMARY KEY,
        batch_id TEXT NOT NULL UNIQUE,
        applied_at TEXT NOT NULL,
        info TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS audience_metrics (
        subject_id TEXT NOT NULL,
        country TEXT NOT NULL,
        day TEXT NOT NULL,
        subject_type TEXT NOT NULL,
        subscribers INTEGER,
        monthly_visits INTEGER,
        livestreaming INTEGER,
        monetised INTEGER,
        batch INTEGER NOT NULL,
        line INTEGER,
        PRIMARY KEY (subject_id, country, day)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS audience_revisions (
        subject_id TEXT NOT NULL,
        country TEXT NOT NULL,
        day TEXT NOT NULL,
        subject_type TEXT NOT NULL,
        subscribers INTEGER,
        monthly_visits INTEGER,
        livestreaming INTEGER,
        monetised INTEGER,
        batch INTEGER NOT NULL,
        line INTEGER,
        replaced_by INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS audience_revisions_by_key
        ON audience_revisions (subject_id, country, day);
    CREATE TABLE IF NOT EXISTS audience_days (
        country TEXT NOT NULL,
        day TEXT NOT NULL,
        rows INTEGER NOT NULL,
        PRIMARY KEY (country, day)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS audience_state (
        subject_id TEXT NOT NULL,
        country TEXT NOT NULL,
        state TEXT NOT NULL,
        PRIMARY KEY (subject_id, country)
    ) WITHOUT ROWID
    """

    STAGE = "temp.audience_stage"

    def __init__(self, db: Any) -> None:
        super().__init__(db, SQLITE)

    def _open_stage(self) -> None:
        self._x(f"DROP TABLE IF EXISTS {self.STAGE}")
        self._x("CREATE TEMP TABLE audience_stage AS SELECT * FROM audience_metrics WHERE 0")

    def _load(self, target: str, table: pa.Table, seq: int) -> None:
        marks = ", ".join(["?"] * (len(METRIC_COLUMNS) - 2) + [str(seq), "?"])
        sql = f"INSERT INTO {target} ({', '.join(METRIC_COLUMNS)}) VALUES ({marks})"
        self._db.conn.executemany(sql, batch_rows(table))
