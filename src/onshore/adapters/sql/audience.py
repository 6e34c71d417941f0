"""The audience store in SQL: daily metric rows per subject and country, their revisions, the
batches applied, and per-subject threshold state (``onshore.ports.AudienceStore``).

One implementation for SQLite and PostgreSQL; each backend's module holds its schema and
how a batch's rows reach a table (``_load``: ``executemany`` in SQLite, a CSV ``COPY`` in
PostgreSQL) and its staging table. ``apply`` writes one validated batch (a pyarrow table
sorted by key) inside the caller's transaction. When none of the batch's ``(country, day)``
pairs has been seen before, rows are appended directly (the common case: a new day's
file); otherwise they go through a temporary staging table and one set-based upsert that
keeps the replaced values in ``audience_revisions`` and leaves identical rows untouched
(re-sending a file changes nothing).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from onshore.adapters.sql.dialect import Dialect
from onshore.core.cases.audience import Observation

if TYPE_CHECKING:
    import pyarrow as pa

#: Columns of a batch table, in the order rows are written.
BATCH_COLUMNS = (
    *("subject_id", "country", "day", "subject_type"),
    *("subscribers", "monthly_visits", "livestreaming", "monetised", "line"),
)
#: Columns of ``audience_metrics`` as a batch's rows fill them.
METRIC_COLUMNS = (*BATCH_COLUMNS[:-1], "batch", "line")
_VALUES = ("subscribers", "monthly_visits", "livestreaming", "monetised", "subject_type")
_REVISION_KEYS = (
    *("subscribers", "monthly_visits", "livestreaming", "monetised"),
    *("batch_id", "line", "replaced_by"),
)
_PUT_STATE = (
    "INSERT INTO audience_state (subject_id, country, state) VALUES (?, ?, {json}) "
    "ON CONFLICT (subject_id, country) DO UPDATE SET state = excluded.state"
)


def _state_json(state: Mapping[str, Any]) -> str:
    return json.dumps(dict(state), sort_keys=True)


class SqlAudienceStore:
    """Audience metrics in a region's SQL database (subclasses load the rows)."""

    #: The staging table's name as the statements of ``apply`` write it.
    STAGE = "audience_stage"

    def __init__(self, db: Any, dialect: Dialect) -> None:
        self._db = db
        self._d = dialect

    def _x(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run a neutral statement through the database (its own translation of failures)."""
        return self._db.execute(self._d.sql(sql), tuple(params))

    def _load(self, target: str, table: pa.Table, seq: int) -> None:
        """Write the batch's rows (``METRIC_COLUMNS``, ``batch`` = ``seq``) into ``target``."""
        raise NotImplementedError

    def _open_stage(self) -> None:
        """Create the empty staging table (``STAGE``) shaped like ``audience_metrics``."""
        raise NotImplementedError

    def batch(self, batch_id: str) -> dict[str, Any] | None:
        """The record of an applied batch, or None."""
        with self._db.reading():
            row = self._x(
                "SELECT seq, applied_at, info FROM audience_batches WHERE batch_id = ?",
                (batch_id,),
            ).fetchone()
        if row is None:
            return None
        info = self._d.from_json(row[2])
        return {"seq": row[0], "batch_id": batch_id, "applied_at": row[1], **info}

    def apply(
        self,
        batch_id: str,
        info: Mapping[str, Any],
        table: pa.Table,
        days: Mapping[tuple[str, str], int],
        applied_at: str,
    ) -> dict[str, int]:
        """Write a validated batch (see the module docstring); returns inserted, updated and
        unchanged counts. Joins the open transaction; ``StoreIntegrityError`` when the batch
        was applied before."""
        with self._db.transaction(), self._d.translated(self._db.url):
            self._x(
                "INSERT INTO audience_batches (batch_id, applied_at, info) "
                f"VALUES (?, ?, {self._d.json_arg})",
                (batch_id, applied_at, json.dumps(dict(info), sort_keys=True)),
            )
            sql = "SELECT seq FROM audience_batches WHERE batch_id = ?"
            seq = int(self._x(sql, (batch_id,)).fetchone()[0])
            if not self._seen(days):
                self._load("audience_metrics", table, seq)
                counts = {"inserted": table.num_rows, "updated": 0, "unchanged": 0}
            else:
                self._open_stage()
                self._load(self.STAGE, table, seq)
                counts = self._merge(table.num_rows, seq)
            self._d.executemany(
                self._db.conn,
                "INSERT INTO audience_days (country, day, rows) VALUES (?, ?, ?) "
                "ON CONFLICT (country, day) DO UPDATE SET rows = audience_days.rows "
                "+ excluded.rows",
                [(c, d, n) for (c, d), n in days.items()],
            )
        return counts

    def _seen(self, days: Mapping[tuple[str, str], int]) -> bool:
        sql = "SELECT 1 FROM audience_days WHERE country = ? AND day = ?"
        return any(self._x(sql, key).fetchone() is not None for key in days)

    def _changed(self, left: str, right: str) -> str:
        return " OR ".join(f"{left}.{c} {self._d.distinct} {right}.{c}" for c in _VALUES)

    def _merge(self, rows: int, seq: int) -> dict[str, int]:
        """Upsert the staged rows, keeping the values they replace; drop the stage."""
        cols = ", ".join(METRIC_COLUMNS)
        join = (
            f"FROM audience_metrics m JOIN {self.STAGE} s "
            "ON m.subject_id = s.subject_id AND m.country = s.country AND m.day = s.day"
        )
        existing = int(self._x(f"SELECT count(*) {join}").fetchone()[0])
        changed = self._changed("m", "s")
        sql = f"INSERT INTO audience_revisions SELECT m.*, {seq} {join} WHERE {changed}"
        updated = self._x(sql).rowcount
        sets = ", ".join(f"{c} = excluded.{c}" for c in (*_VALUES, "batch", "line"))
        self._x(
            f"INSERT INTO audience_metrics ({cols}) SELECT {cols} FROM {self.STAGE} WHERE true "
            f"ON CONFLICT (subject_id, country, day) DO UPDATE SET {sets} "
            f"WHERE {self._changed('audience_metrics', 'excluded')}"
        )
        self._x(f"DROP TABLE {self.STAGE}")
        return {"inserted": rows - existing, "updated": updated, "unchanged": existing - updated}

    def series(
        self, subject_id: str, country: str, *, since: str | None = None, until: str | None = None
    ) -> list[Observation]:
        """The subject's daily rows in ``country`` (``since``/``until`` inclusive), by day."""
        sql = (
            "SELECT m.day, m.subscribers, m.monthly_visits, m.livestreaming, m.monetised, "
            "b.batch_id, m.line FROM audience_metrics m JOIN audience_batches b "
            "ON b.seq = m.batch WHERE m.subject_id = ? AND m.country = ? "
            "AND m.day >= ? AND m.day <= ? ORDER BY m.day"
        )
        with self._db.reading():
            params = (subject_id, country, since or "0000", until or "9999")
            rows = self._x(sql, params).fetchall()
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
            rows = self._x(sql, (subject_id, country, day)).fetchall()
        return [dict(zip(_REVISION_KEYS, r, strict=True)) for r in rows]

    def states(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every subject with threshold state (those that ever reached a bound)."""
        with self._db.reading():
            rows = self._x("SELECT subject_id, country, state FROM audience_state").fetchall()
        return {(r[0], r[1]): self._d.from_json(r[2]) for r in rows}

    def put_state(self, subject_id: str, country: str, state: Mapping[str, Any]) -> None:
        """Insert or replace a subject's threshold state."""
        with self._db.transaction():
            sql = _PUT_STATE.format(json=self._d.json_arg)
            self._x(sql, (subject_id, country, _state_json(state)))

    def put_states(self, states: Sequence[tuple[str, str, Mapping[str, Any]]]) -> None:
        """``put_state`` for many ``(subject, country, state)`` at once (one statement)."""
        if not states:
            return
        with self._db.transaction():
            self._d.executemany(
                self._db.conn,
                _PUT_STATE.format(json=self._d.json_arg),
                [(s, c, _state_json(st)) for s, c, st in states],
            )

    def count(self) -> int:
        """Number of metric rows held."""
        with self._db.reading():
            return int(self._x("SELECT count(*) FROM audience_metrics").fetchone()[0])
