"""Reading and checking a metrics batch in DuckDB (vectorised): the ingest's first half.

``check(con, source, offset, batch_id, strict)`` loads ``source`` (a DuckDB table function
or a registered relation, every column as text) into ``src`` with line numbers, checks every
row in SQL, and leaves ``bad`` (line, reason) and ``good`` (typed rows, the first occurrence
of each ``(subject, country, day)``) behind; ``good_rows`` returns the good rows as a pyarrow
table sorted by key, with the row count per ``(country, day)``.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from onshore.core.cases.audience import COLUMNS
from onshore.core.errors import InputError

_REQUIRED = ("subject_id", "country", "date")
_BAD_SHOWN = 1000


@dataclass
class IngestReport:
    """What an ingest did. ``applied`` is False when the batch was rejected (strict) or had
    been applied before (``already_applied``)."""

    batch_id: str
    rows: int
    good: int
    bad: int
    applied: bool
    already_applied: bool = False
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    evaluated: int = 0
    opened: list[str] = field(default_factory=list)
    below: list[str] = field(default_factory=list)
    above: list[str] = field(default_factory=list)
    bad_rows: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


def _csv_header(path: Path) -> list[str]:
    """The header's column names (the first line), checked before DuckDB reads the file."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        first = f.readline()
    names = [n.strip() for n in next(csv.reader([first]), [])]
    if not names or not all(n.replace("_", "").isalnum() for n in names):
        raise InputError("metrics file: the first line must be a header of column names",
                         details={"columns": list(COLUMNS)})  # fmt: skip
    return names


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def file_source(path: Path, fmt: str) -> tuple[str, int, str]:
    """The DuckDB table function reading ``path`` (every column as text), the line of its
    first row minus one, and the batch id (SHA-256 of the file's bytes)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    if fmt == "csv":
        cols = ", ".join(f"{_quote(c)}: 'VARCHAR'" for c in _csv_header(path))
        source = (
            f"read_csv({_quote(str(path))}, header=true, auto_detect=false, delim=',', "
            f"quote='\"', escape='\"', strict_mode=true, columns={{{cols}}})"
        )
        return source, 1, f"sha256:{h.hexdigest()}"
    cols = ", ".join(f"{c}: 'VARCHAR'" for c in COLUMNS)
    source = f"read_json({_quote(str(path))}, format='newline_delimited', columns={{{cols}}})"
    return source, 0, f"sha256:{h.hexdigest()}"


def register_rows(
    con: duckdb.DuckDBPyConnection, name: str, rows: Sequence[Mapping[str, Any]]
) -> str:
    """Register ``rows`` (objects) as relation ``name`` of text columns; the batch id is the
    SHA-256 of their canonical JSON."""
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise InputError("rows must be a list of objects")
    body = json.dumps(list(rows), sort_keys=True, separators=(",", ":"), default=str)
    cols: dict[str, list[str | None]] = {c: [] for c in COLUMNS}
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise InputError(f"row {i} is not an object", details={"line": i})
        extra = sorted(set(row) - set(COLUMNS))
        if extra:
            raise InputError(
                f"row {i}: unknown field {extra[0]!r}",
                details={"line": i, "allowed": list(COLUMNS)},
            )
        for c in COLUMNS:
            v = row.get(c)
            cols[c].append(None if v is None else str(v).lower() if isinstance(v, bool) else str(v))
    con.register(name, pa.table({c: pa.array(v, pa.string()) for c, v in cols.items()}))
    return "sha256:" + hashlib.sha256(body.encode()).hexdigest()


def check(
    con: duckdb.DuckDBPyConnection, source: str, offset: int, batch_id: str, strict: bool
) -> IngestReport:
    """Load and check a batch; ``InputError`` for file-level problems, and for any bad row
    when ``strict``."""
    con.execute("SET preserve_insertion_order = true")
    try:
        con.execute(f"CREATE TEMP TABLE src AS SELECT row_number() OVER () + {offset} "
                    f"AS line, * FROM {source}")  # fmt: skip
    except duckdb.Error as exc:
        raise InputError(
            f"cannot read the metrics file: {str(exc).splitlines()[0]}",
            details={"reason": str(exc).splitlines()[0][:300]},
        ) from None
    present = [r[0] for r in con.execute("DESCRIBE src").fetchall()]
    missing = [c for c in _REQUIRED if c not in present]
    unknown = [c for c in present if c not in (*COLUMNS, "line")]
    if missing or unknown:
        what = f"missing column {missing[0]!r}" if missing else f"unknown column {unknown[0]!r}"
        raise InputError(f"metrics file: {what}",
                         details={"missing": missing, "unknown": unknown,
                                  "columns": list(COLUMNS)})  # fmt: skip
    con.execute(_VALIDATE.format(cols=", ".join(
        c if c in present else f"NULL::VARCHAR AS {c}" for c in COLUMNS)))  # fmt: skip
    total = con.execute("SELECT count(*) FROM src").fetchone()[0]  # type: ignore[index]
    bad_count = con.execute("SELECT count(*) FROM bad").fetchone()[0]  # type: ignore[index]
    bad_rows = [
        {"line": int(r[0]), "reason": r[1]}
        for r in con.execute(
            f"SELECT line, reason FROM bad ORDER BY line LIMIT {_BAD_SHOWN}"
        ).fetchall()
    ]
    report = IngestReport(batch_id, int(total), int(total) - int(bad_count), int(bad_count),
                          False, bad_rows=bad_rows)  # fmt: skip
    if strict and bad_count:
        raise InputError(
            f"{bad_count} bad row(s); nothing applied (strict): line {bad_rows[0]['line']}: "
            f"{bad_rows[0]['reason']}",
            details={"batch_id": batch_id, "bad": int(bad_count), "bad_rows": bad_rows},
        )
    return report


def good_rows(con: duckdb.DuckDBPyConnection) -> tuple[pa.Table, dict[tuple[str, str], int]]:
    """The good rows sorted by key, and the number of rows per ``(country, day)``."""
    table = con.sql(
        "SELECT subject_id, country, day, subject_type, subscribers, monthly_visits, "
        "livestreaming, monetised, line FROM good ORDER BY subject_id, country, day"
    ).to_arrow_table()
    days = {
        (r[0], r[1]): int(r[2])
        for r in con.execute("SELECT country, day, count(*) FROM good GROUP BY ALL").fetchall()
    }
    return table, days


#: Validation in DuckDB: ``src`` (all text, with ``line``) -> ``bad`` (line, reason) and
#: ``good`` (typed rows, first occurrence of each key).
_VALIDATE = """
CREATE TEMP TABLE typed AS
SELECT line, nullif(trim(subject_id), '') AS subject_id,
       coalesce(nullif(lower(trim(subject_type)), ''), 'account') AS subject_type,
       upper(trim(country)) AS country, nullif(trim(date), '') AS date_raw,
       TRY_CAST(trim(date) AS DATE) AS d,
       nullif(trim(subscribers), '') AS subs_raw, TRY_CAST(trim(subscribers) AS BIGINT) AS subs,
       nullif(trim(monthly_visits), '') AS visits_raw,
       TRY_CAST(trim(monthly_visits) AS BIGINT) AS visits,
       nullif(lower(trim(livestreaming)), '') AS live_raw,
       nullif(lower(trim(monetised)), '') AS mon_raw
FROM (SELECT line, {cols} FROM src);
CREATE TEMP TABLE checked AS
SELECT *, CASE
  WHEN subject_id IS NULL THEN 'subject_id is missing'
  WHEN length(subject_id) > 256 THEN 'subject_id is longer than 256 characters'
  WHEN subject_type NOT IN ('account', 'service') THEN 'subject_type must be account or service'
  WHEN country IS NULL OR NOT regexp_full_match(country, '[A-Z]{{2}}')
    THEN 'country must be an ISO 3166-1 alpha-2 code'
  WHEN date_raw IS NULL OR d IS NULL
    OR NOT regexp_full_match(date_raw, '\\d{{4}}-\\d{{2}}-\\d{{2}}')
    THEN 'date must be YYYY-MM-DD'
  WHEN subs_raw IS NOT NULL
    AND (subs IS NULL OR NOT regexp_full_match(subs_raw, '[0-9]+'))
    THEN 'subscribers must be a non-negative integer'
  WHEN visits_raw IS NOT NULL
    AND (visits IS NULL OR NOT regexp_full_match(visits_raw, '[0-9]+'))
    THEN 'monthly_visits must be a non-negative integer'
  WHEN live_raw IS NOT NULL AND live_raw NOT IN ('true', 'false', '1', '0', 'yes', 'no')
    THEN 'livestreaming must be true or false'
  WHEN mon_raw IS NOT NULL AND mon_raw NOT IN ('true', 'false', '1', '0', 'yes', 'no')
    THEN 'monetised must be true or false'
  WHEN subs_raw IS NULL AND visits_raw IS NULL AND live_raw IS NULL AND mon_raw IS NULL
    THEN 'no metric given (subscribers, monthly_visits, livestreaming or monetised)'
END AS reason FROM typed;
CREATE TEMP TABLE keyed AS
SELECT *, min(line) OVER (PARTITION BY subject_id, country, d) AS first_line
FROM checked WHERE reason IS NULL;
CREATE TEMP TABLE bad AS
SELECT line, reason FROM checked WHERE reason IS NOT NULL
UNION ALL
SELECT line, 'duplicate of line ' || first_line || ' (same subject, country and date)'
FROM keyed WHERE line <> first_line;
CREATE TEMP TABLE good AS
SELECT line, subject_id, subject_type, country, strftime(d, '%Y-%m-%d') AS day,
       subs AS subscribers, visits AS monthly_visits,
       CAST(live_raw IN ('true', '1', 'yes') AS TINYINT) * (CASE WHEN live_raw IS NULL
         THEN NULL ELSE 1 END) AS livestreaming,
       CAST(mon_raw IN ('true', '1', 'yes') AS TINYINT) * (CASE WHEN mon_raw IS NULL
         THEN NULL ELSE 1 END) AS monetised
FROM keyed WHERE line = first_line;
"""
