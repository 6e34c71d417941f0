"""PostgreSQL audience store: the tables of ``adapters.sql.audience``, written with ``COPY``.

A batch is streamed as CSV (written by pyarrow) into ``COPY``: straight into
``audience_metrics`` when none of its ``(country, day)`` pairs was seen before, else into a
temporary staging table (dropped at commit) followed by the shared set-based upsert.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from onshore.adapters.sql.audience import BATCH_COLUMNS, METRIC_COLUMNS, SqlAudienceStore
from onshore.adapters.sql.dialect import POSTGRES

if TYPE_CHECKING:
    import pyarrow as pa


class PostgresAudienceStore(SqlAudienceStore):
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
        super().__init__(db, POSTGRES)

    def _open_stage(self) -> None:
        self._x(
            f"CREATE TEMP TABLE IF NOT EXISTS {self.STAGE} (LIKE audience_metrics) ON COMMIT DROP"
        )
        self._x(f"TRUNCATE {self.STAGE}")

    def _load(self, target: str, table: pa.Table, seq: int) -> None:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        cols = [table.column(c) for c in BATCH_COLUMNS[:-1]]
        cols += [pa.repeat(pa.scalar(seq, pa.int64()), table.num_rows), table.column("line")]
        buf = io.BytesIO()
        options = pacsv.WriteOptions(include_header=False)
        pacsv.write_csv(pa.table(cols, names=list(METRIC_COLUMNS)), buf, options)
        sql = f"COPY {target} ({', '.join(METRIC_COLUMNS)}) FROM STDIN WITH (FORMAT csv)"
        with self._db.conn.cursor() as cur, cur.copy(sql) as copy:
            view = buf.getbuffer()
            for start in range(0, len(view), 1 << 20):
                copy.write(view[start : start + (1 << 20)])
            del view
