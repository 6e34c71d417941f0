"""PostgreSQL audience store: the SQLite store's tables, written with ``COPY``.

A batch is streamed as CSV (written by pyarrow) into ``COPY``: straight into
``audience_metrics`` when none of its ``(country, day)`` pairs was seen before, else into a
temporary staging table followed by one set-based upsert that keeps replaced values in
``audience_revisions`` and leaves identical rows untouched.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from onshore.adapters.sqlite.audience import BATCH_COLUMNS
from onshore.core.cases.audience import Observation

if TYPE_CHECKING:
    import pyarrow as pa

_VALUES = ("subscribers", "monthly_visits", "livestreaming", "monetised", "subject_type")


def _changed(left: str, right: str) -> str:
    return " OR ".join(f"{left}.{c} IS DISTINCT FROM {right}.{c}" for c in _VALUES)


class PostgresAudienceStore:
    """Audience metrics in the region's PostgreSQL database."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS audience_batches (
        seq bigserial PRIMARY KEY,
        batch_id text NOT NULL UNIQUE,
        applied_at text NOT NULL,
        info jsonb NOT NULL
    );
    CREATE TABLE IF NOT EXISTS audience_metrics (
        subject_id text COLLATE "C" NOT NULL,
        country text NOT NULL,
        day text NOT NULL,
        subject_type text NOT NULL,
        subscribers bigint,
        monthly_visits bigint,
        livestreaming smallint,
        monetised smallint,
        batch bigint NOT NULL,
        line bigint,
        PRIMARY KEY (subject_id, country, day)
    );
    CREATE TABLE IF NOT EXISTS audience_revisions (
        subject_id text COLLATE "C" NOT NULL,
        country text NOT NULL,
        day text NOT NULL,
        subject_type text NOT NULL,
        subscribers bigint,
        monthly_visits bigint,
        livestreaming smallint,
        monetised smallint,
        batch bigint NOT NULL,
        line bigint,
        replaced_by bigint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS audience_revisions_by_key
        ON audience_revisions (subject_id, country, day);
    CREATE TABLE IF NOT EXISTS audience_days (
        country text NOT NULL,
        day text NOT NULL,
        rows bigint NOT NULL,
        PRIMARY KEY (country, day)
    );
    CREATE TABLE IF NOT EXISTS audience_state (
        subject_id text COLLATE "C" NOT NULL,
        country text NOT NULL,
        state jsonb NOT NULL,
        PRIMARY KEY (subject_id, country)
    )
    """

    def __init__(self, db: Any) -> None:
        self._db = db

    def batch(self, batch_id: str) -> dict[str, Any] | None:
        """The record of an applied batch, or None."""
        with self._db.reading():
            row = self._db.execute(
                "SELECT seq, applied_at, info FROM audience_batches WHERE batch_id = %s",
                (batch_id,),
            ).fetchone()
        if row is None:
            return None
        return {"seq": row[0], "batch_id": batch_id, "applied_at": row[1], **row[2]}

    def _copy(self, target: str, table: pa.Table, seq: int) -> None:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        cols = [table.column(c) for c in BATCH_COLUMNS[:-1]]
        cols += [pa.array([seq] * table.num_rows, pa.int64()), table.column("line")]
        names = [*BATCH_COLUMNS[:-1], "batch", "line"]
        buf = io.BytesIO()
        pacsv.write_csv(pa.table(cols, names=names), buf,
                        pacsv.WriteOptions(include_header=False))  # fmt: skip
        with (
            self._db.conn.cursor() as cur,
            cur.copy(f"COPY {target} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)") as copy,
        ):
            view = buf.getbuffer()
            for start in range(0, len(view), 1 << 20):
                copy.write(view[start : start + (1 << 20)])
            del view

    def apply(
        self, batch_id: str, info: Mapping[str, Any], table: pa.Table,
        days: Mapping[tuple[str, str], int], applied_at: str,
    ) -> dict[str, int]:  # fmt: skip
        """Write a validated batch; inserted, updated and unchanged counts."""
        x = self._db.execute
        with self._db.transaction():
            seq = int(x("INSERT INTO audience_batches (batch_id, applied_at, info) "
                        "VALUES (%s, %s, %s::jsonb) RETURNING seq",
                        (batch_id, applied_at, json.dumps(dict(info)))).fetchone()[0])  # fmt: skip
            seen = any(
                x("SELECT 1 FROM audience_days WHERE country = %s AND day = %s", key).fetchone()
                for key in days
            )
            if not seen:
                self._copy("audience_metrics", table, seq)
                counts = {"inserted": table.num_rows, "updated": 0, "unchanged": 0}
            else:
                x("CREATE TEMP TABLE IF NOT EXISTS audience_stage "
                  "(LIKE audience_metrics) ON COMMIT DROP")  # fmt: skip
                x("TRUNCATE audience_stage")
                self._copy("audience_stage", table, seq)
                join = (
                    "FROM audience_metrics m JOIN audience_stage s ON m.subject_id = "
                    "s.subject_id AND m.country = s.country AND m.day = s.day"
                )
                existing = int(x(f"SELECT count(*) {join}").fetchone()[0])
                updated = x(f"INSERT INTO audience_revisions SELECT m.*, {seq} {join} "
                            f"WHERE {_changed('m', 's')}").rowcount  # fmt: skip
                sets = ", ".join(f"{c} = excluded.{c}" for c in (*_VALUES, "batch", "line"))
                x("INSERT INTO audience_metrics SELECT * FROM audience_stage ON CONFLICT "
                  f"(subject_id, country, day) DO UPDATE SET {sets} "
                  f"WHERE {_changed('audience_metrics', 'excluded')}")  # fmt: skip
                x("DROP TABLE audience_stage")
                counts = {"inserted": table.num_rows - existing, "updated": updated,
                          "unchanged": existing - updated}  # fmt: skip
            with self._db.conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO audience_days (country, day, rows) VALUES (%s, %s, %s) "
                    "ON CONFLICT (country, day) DO UPDATE SET rows = audience_days.rows "
                    "+ excluded.rows",
                    [(c, d, n) for (c, d), n in days.items()],
                )
        return counts

    def series(
        self, subject_id: str, country: str, *, since: str | None = None, until: str | None = None
    ) -> list[Observation]:
        """The subject's daily rows in ``country``, by day."""
        sql = ("SELECT m.day, m.subscribers, m.monthly_visits, m.livestreaming, m.monetised, "
               "b.batch_id, m.line FROM audience_metrics m JOIN audience_batches b "
               "ON b.seq = m.batch WHERE m.subject_id = %s AND m.country = %s "
               "AND m.day >= %s AND m.day <= %s ORDER BY m.day")  # fmt: skip
        with self._db.reading():
            rows = self._db.execute(
                sql, (subject_id, country, since or "0000", until or "9999")
            ).fetchall()
        return [Observation(*r) for r in rows]

    def revisions(self, subject_id: str, country: str, day: str) -> list[dict[str, Any]]:
        """Values a day's row held before later batches replaced them, oldest first."""
        sql = ("SELECT r.subscribers, r.monthly_visits, r.livestreaming, r.monetised, "
               "b.batch_id, r.line, n.batch_id FROM audience_revisions r "
               "JOIN audience_batches b ON b.seq = r.batch "
               "JOIN audience_batches n ON n.seq = r.replaced_by "
               "WHERE r.subject_id = %s AND r.country = %s AND r.day = %s "
               "ORDER BY r.replaced_by")  # fmt: skip
        with self._db.reading():
            rows = self._db.execute(sql, (subject_id, country, day)).fetchall()
        keys = ("subscribers", "monthly_visits", "livestreaming", "monetised", "batch_id", "line",
                "replaced_by")  # fmt: skip
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def states(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every subject with threshold state."""
        with self._db.reading():
            rows = self._db.execute(
                "SELECT subject_id, country, state FROM audience_state"
            ).fetchall()
        return {(r[0], r[1]): r[2] for r in rows}

    def put_state(self, subject_id: str, country: str, state: Mapping[str, Any]) -> None:
        """Insert or replace a subject's threshold state."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO audience_state (subject_id, country, state) "
                "VALUES (%s, %s, %s::jsonb) ON CONFLICT (subject_id, country) "
                "DO UPDATE SET state = excluded.state",
                (subject_id, country, json.dumps(dict(state), sort_keys=True)),
            )

    def put_states(self, states: Sequence[tuple[str, str, Mapping[str, Any]]]) -> None:
        """``put_state`` for many ``(subject, country, state)`` at once (one statement)."""
        if not states:
            return
        with self._db.transaction(), self._db.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO audience_state (subject_id, country, state) "
                "VALUES (%s, %s, %s::jsonb) ON CONFLICT (subject_id, country) "
                "DO UPDATE SET state = excluded.state",
                [(s, c, json.dumps(dict(st), sort_keys=True)) for s, c, st in states],
            )

    def count(self) -> int:
        """Number of metric rows held."""
        with self._db.reading():
            return int(self._db.execute("SELECT count(*) FROM audience_metrics").fetchone()[0])
