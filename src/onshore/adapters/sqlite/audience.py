"""SQLite audience store: the tables of ``adapters.sql.audience`` in the region's file.

A batch's rows are written with ``executemany`` of multi-row ``INSERT ... VALUES``
statements (``ROWS_PER_STATEMENT`` rows each: far fewer statement steps than one row per
statement), a slice of the batch at a time. The batch number, and any column but the
subject and the line that is the same on every row (a day's file: its country, day and
subject type; a metric the file does not carry), are written as literals: fewer
parameters to convert and bind per row. The staging table is a ``temp`` table made anew for
each batch that revisits known days.
"""

from __future__ import annotations

from itertools import chain
from typing import TYPE_CHECKING, Any

from onshore.adapters.sql.audience import METRIC_COLUMNS, SqlAudienceStore
from onshore.adapters.sql.dialect import SQLITE

if TYPE_CHECKING:
    import pyarrow as pa

#: Rows per ``INSERT`` statement (well under SQLite's 32,766 bound parameters).
ROWS_PER_STATEMENT = 64
#: Rows converted to Python values at a time (bounds the memory a large batch takes).
SLICE_ROWS = 1 << 16
#: Columns written as a literal when every row of the batch has the same value (or none).
_CONSTANT_CANDIDATES = (
    *("country", "day", "subject_type"),
    *("subscribers", "monthly_visits", "livestreaming", "monetised"),
)


def _literal(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(int(value))
    return "'" + str(value).replace("'", "''") + "'"


def _constants(table: pa.Table) -> dict[str, str]:
    """The SQL literal of each ``_CONSTANT_CANDIDATES`` column that has one value on every
    row (a text, an integer, or no value at all: a column the file does not have)."""
    import pyarrow.compute as pc

    out: dict[str, str] = {}
    for name in _CONSTANT_CANDIDATES:
        col = table.column(name)
        if col.null_count == len(col):
            out[name] = "NULL"
        elif col.null_count == 0 and pc.count_distinct(col).as_py() == 1:
            out[name] = _literal(col[0].as_py())
    return out


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
        if table.num_rows == 0:
            return
        literals = {**_constants(table), "batch": str(seq)}
        bound = [c for c in METRIC_COLUMNS if c not in literals]
        one = "(" + ", ".join(literals.get(c, "?") for c in METRIC_COLUMNS) + ")"
        head = f"INSERT INTO {target} ({', '.join(METRIC_COLUMNS)}) VALUES "
        many = head + ", ".join([one] * ROWS_PER_STATEMENT)
        width = len(bound) * ROWS_PER_STATEMENT
        conn = self._db.conn
        for start in range(0, table.num_rows, SLICE_ROWS):
            part = table.slice(start, SLICE_ROWS)
            columns = [part.column(c).to_pylist() for c in bound]
            values = list(chain.from_iterable(zip(*columns, strict=True)))
            full = len(values) - len(values) % width
            conn.executemany(many, (values[i : i + width] for i in range(0, full, width)))
            if full < len(values):
                rest = (len(values) - full) // len(bound)
                conn.execute(head + ", ".join([one] * rest), values[full:])
