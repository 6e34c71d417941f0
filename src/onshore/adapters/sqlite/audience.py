"""SQLite audience store: daily metric rows per subject and country, their revisions, the
batches applied, and per-subject threshold state.

``apply`` writes one validated batch (a pyarrow table sorted by key) inside the caller's
transaction. When none of the batch's ``(country, day)`` pairs has been seen before, rows
are appended directly (the common case: a new day's file); otherwise they go through a
temporary staging table and one set-based upsert that keeps the replaced values in
``audience_revisions`` and leaves identical rows untouched (re-sending a file changes
nothing).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from onshore.core.cases.audience import Observation

if TYPE_CHECKING:
    import pyarrow as pa

#: Columns of a batch table, in the order rows are written.
BATCH_COLUMNS = ("subject_id", "country", "day", "subject_type", "subscribers", "monthly_visits",
                 "livestreaming", "monetised", "line")  # fmt: skip
_VALUES = ("subscribers", "monthly_visits", "livestreaming", "monetised")


def _changed(left: str, right: str) -> str:
    return " OR ".join(f"{left}.{c} IS NOT {right}.{c}" for c in (*_VALUES, "subject_type"))


def batch_rows(table: pa.Table) -> Any:
    """The table's rows as tuples, in ``BATCH_COLUMNS`` order."""
    return zip(*(table.column(c).to_pylist() for c in BATCH_COLUMNS), strict=True)


class SqliteAudienceStore:
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

    def __init__(self, db: Any) -> None:
        self._db = db

    def batch(self, batch_id: str) -> dict[str, Any] | None:
        """The record of an applied batch, or None."""
        with self._db.reading():
            row = self._db.execute(
                "SELECT seq, applied_at, info FROM audience_batches WHERE batch_id = ?",
                (batch_id,),
            ).fetchone()
        if row is None:
            return None
        return {"seq": row[0], "batch_id": batch_id, "applied_at": row[1], **json.loads(row[2])}

    def apply(
        self, batch_id: str, info: Mapping[str, Any], table: pa.Table,
        days: Mapping[tuple[str, str], int], applied_at: str,
    ) -> dict[str, int]:  # fmt: skip
        """Write a validated batch (see the module docstring); returns inserted, updated and
        unchanged counts. Joins the open transaction."""
        with self._db.transaction():
            cur = self._db.execute(
                "INSERT INTO audience_batches (batch_id, applied_at, info) VALUES (?, ?, ?)",
                (batch_id, applied_at, json.dumps(dict(info), sort_keys=True)),
            )
            seq = int(cur.lastrowid)
            seen = self._seen(days)
            # the batch number is a literal: one parameter less to bind per row
            placeholders = ", ".join(["?"] * (len(BATCH_COLUMNS) - 1) + [str(seq), "?"])
            cols = ", ".join((*BATCH_COLUMNS[:-1], "batch", "line"))
            if not seen:
                self._db.conn.executemany(
                    f"INSERT INTO audience_metrics ({cols}) VALUES ({placeholders})",
                    batch_rows(table),
                )
                counts = {"inserted": table.num_rows, "updated": 0, "unchanged": 0}
            else:
                counts = self._upsert(table, seq, cols, placeholders)
            self._db.conn.executemany(
                "INSERT INTO audience_days (country, day, rows) VALUES (?, ?, ?) "
                "ON CONFLICT (country, day) DO UPDATE SET rows = rows + excluded.rows",
                [(c, d, n) for (c, d), n in days.items()],
            )
        return counts

    def _seen(self, days: Mapping[tuple[str, str], int]) -> bool:
        for country, day in days:
            row = self._db.execute(
                "SELECT 1 FROM audience_days WHERE country = ? AND day = ?", (country, day)
            ).fetchone()
            if row is not None:
                return True
        return False

    def _upsert(self, table: pa.Table, seq: int, cols: str, placeholders: str) -> dict[str, int]:
        x = self._db.execute
        x("DROP TABLE IF EXISTS temp.audience_stage")
        x("CREATE TEMP TABLE audience_stage AS SELECT * FROM audience_metrics WHERE 0")
        self._db.conn.executemany(
            f"INSERT INTO temp.audience_stage ({cols}) VALUES ({placeholders})",
            batch_rows(table),
        )
        join = (
            "FROM audience_metrics m JOIN temp.audience_stage s "
            "ON m.subject_id = s.subject_id AND m.country = s.country AND m.day = s.day"
        )
        existing = x(f"SELECT count(*) {join}").fetchone()[0]
        updated = x(
            f"INSERT INTO audience_revisions SELECT m.*, {seq} {join} WHERE {_changed('m', 's')}"
        ).rowcount
        x(f"INSERT INTO audience_metrics ({cols}) SELECT {cols} FROM temp.audience_stage "
          "WHERE true ON CONFLICT (subject_id, country, day) DO UPDATE SET "
          + ", ".join(f"{c} = excluded.{c}" for c in (*_VALUES, "subject_type", "batch", "line"))
          + f" WHERE {_changed('audience_metrics', 'excluded')}")  # fmt: skip
        x("DROP TABLE temp.audience_stage")
        return {"inserted": table.num_rows - existing, "updated": updated,
                "unchanged": existing - updated}  # fmt: skip

    def series(
        self, subject_id: str, country: str, *, since: str | None = None, until: str | None = None
    ) -> list[Observation]:
        """The subject's daily rows in ``country`` (``since``/``until`` inclusive), by day."""
        sql = ("SELECT m.day, m.subscribers, m.monthly_visits, m.livestreaming, m.monetised, "
               "b.batch_id, m.line FROM audience_metrics m JOIN audience_batches b "
               "ON b.seq = m.batch WHERE m.subject_id = ? AND m.country = ? "
               "AND m.day >= ? AND m.day <= ? ORDER BY m.day")  # fmt: skip
        with self._db.reading():
            rows = self._db.execute(
                sql, (subject_id, country, since or "0000", until or "9999")
            ).fetchall()
        return [Observation(*r) for r in rows]

    def revisions(self, subject_id: str, country: str, day: str) -> list[dict[str, Any]]:
        """Values a day's row held before later batches replaced them, oldest first."""
        sql = (
            "SELECT r.subscribers, r.monthly_visits, r.livestreaming, r.monetised, "
            "b.batch_id, r.line, n.batch_id FROM audience_revisions r "
            "JOIN audience_batches b ON b.seq = r.batch "
            "JOIN audience_batches n ON n.seq = r.replaced_by "
            "WHERE r.subject_id = ? AND r.country = ? AND r.day = ? ORDER BY r.replaced_by"
        )
        with self._db.reading():
            rows = self._db.execute(sql, (subject_id, country, day)).fetchall()
        keys = ("subscribers", "monthly_visits", "livestreaming", "monetised", "batch_id", "line",
                "replaced_by")  # fmt: skip
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def states(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every subject with threshold state (those that ever reached a bound)."""
        with self._db.reading():
            rows = self._db.execute(
                "SELECT subject_id, country, state FROM audience_state"
            ).fetchall()
        return {(r[0], r[1]): json.loads(r[2]) for r in rows}

    def put_state(self, subject_id: str, country: str, state: Mapping[str, Any]) -> None:
        """Insert or replace a subject's threshold state."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO audience_state (subject_id, country, state) VALUES (?, ?, ?) "
                "ON CONFLICT (subject_id, country) DO UPDATE SET state = excluded.state",
                (subject_id, country, json.dumps(dict(state), sort_keys=True)),
            )

    def put_states(self, states: Sequence[tuple[str, str, Mapping[str, Any]]]) -> None:
        """``put_state`` for many ``(subject, country, state)`` at once (one statement)."""
        with self._db.transaction():
            self._db.conn.executemany(
                "INSERT INTO audience_state (subject_id, country, state) VALUES (?, ?, ?) "
                "ON CONFLICT (subject_id, country) DO UPDATE SET state = excluded.state",
                [(s, c, json.dumps(dict(st), sort_keys=True)) for s, c, st in states],
            )

    def count(self) -> int:
        """Number of metric rows held."""
        with self._db.reading():
            return int(self._db.execute("SELECT count(*) FROM audience_metrics").fetchone()[0])
