"""Reading and checking a metrics batch in DuckDB (vectorised): the ingest's first half.

``check(con, source, offset, batch_id, strict)`` reads ``source`` (a DuckDB table function
or a registered relation, every column as text) with line numbers and checks every row in
one SQL pass (``_CHECK``: typed rows with the first problem as ``reason``, the good rows
first, sorted by key and line, then the bad ones), fetched once as a pyarrow table. It
returns the report (the counts, the first bad rows by line, later repeats of a key as
duplicates) and the good rows (the first occurrence of each ``(subject, country, day)``),
sorted by key, also registered as relation ``good``. Over ``good``, ``day_counts`` gives
the rows per ``(country, day)`` and ``threshold_candidates`` the few subjects that may
cross or leave a threshold: only those, and the bad rows shown, become Python objects.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from onshore.core.cases.audience import COLUMNS, threshold_bounds
from onshore.core.errors import InputError
from onshore.core.policy.model import Rule

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
    attribution: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


def _csv_header(path: Path) -> list[str]:
    """The header's column names (the first line), checked before DuckDB reads the file."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        first = f.readline()
    names = [n.strip() for n in next(csv.reader([first]), [])]
    if not names or not all(n.replace("_", "").isalnum() for n in names):
        raise InputError(
            "metrics file: the first line must be a header of column names",
            details={"columns": list(COLUMNS)},
        )
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
    con: duckdb.DuckDBPyConnection,
    name: str,
    rows: Sequence[Mapping[str, Any]],
    context: Mapping[str, Any] | None = None,
) -> str:
    """Register ``rows`` (objects) as relation ``name`` of text columns; the batch id is the
    SHA-256 of their canonical JSON (with ``context``, e.g. a follower attribution, when
    given)."""
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise InputError("rows must be a list of objects")
    whole: Any = list(rows) if context is None else {"rows": list(rows), **context}
    body = json.dumps(whole, sort_keys=True, separators=(",", ":"), default=str)
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
) -> tuple[IngestReport, pa.Table]:
    """Load and check a batch in one DuckDB pass; ``InputError`` for file-level problems,
    and for any bad row when ``strict``. Returns the report and the good rows sorted by key
    (also registered as relation ``good``)."""
    con.execute("SET preserve_insertion_order = true")
    try:
        present = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    except _DUCKDB_ERRORS as exc:
        raise _unreadable(exc) from None
    missing = [c for c in _REQUIRED if c not in present]
    unknown = [c for c in present if c not in COLUMNS]
    if missing or unknown:
        what = f"missing column {missing[0]!r}" if missing else f"unknown column {unknown[0]!r}"
        raise InputError(
            f"metrics file: {what}",
            details={"missing": missing, "unknown": unknown, "columns": list(COLUMNS)},
        )
    cols = ", ".join(c if c in present else f"NULL::VARCHAR AS {c}" for c in COLUMNS)
    try:
        sql = _CHECK.format(cols=cols, offset=int(offset), source=source)
        checked = con.sql(sql).to_arrow_table()
    except _DUCKDB_ERRORS as exc:
        raise _unreadable(exc) from None
    total = checked.num_rows
    reasons = checked.column("reason")
    good_count = reasons.null_count
    bad_count = total - good_count
    bad_rows = _bad_rows(checked.slice(good_count)) if bad_count else []
    table, dups = _first_of_each_key(checked.slice(0, good_count).drop_columns(["reason"]))
    if dups:
        bad_count += len(dups)
        bad_rows = sorted(bad_rows + dups, key=lambda b: int(b["line"]))[:_BAD_SHOWN]
    report = IngestReport(batch_id, total, total - bad_count, bad_count, False, bad_rows=bad_rows)
    if strict and bad_count:
        raise InputError(
            f"{bad_count} bad row(s); nothing applied (strict): line {bad_rows[0]['line']}: "
            f"{bad_rows[0]['reason']}",
            details={"batch_id": batch_id, "bad": int(bad_count), "bad_rows": bad_rows},
        )
    con.register("good", table)
    return report, table


#: DuckDB names the file it read; over HTTP that is the server's temporary copy of the body.
_FILE_NAMED = re.compile(r' (?:in|of) file "[^"]*"')

#: What DuckDB raises for a file it cannot read. Its message quotes the offending input cut
#: at a byte count, so a cut inside a multi-byte character reaches Python as a
#: ``UnicodeDecodeError`` of the message instead of a ``duckdb.Error``.
_DUCKDB_ERRORS = (duckdb.Error, UnicodeDecodeError)


def _unreadable(exc: duckdb.Error | UnicodeDecodeError) -> InputError:
    """The ``input.invalid`` error for a metrics file DuckDB cannot read, without the path of
    the file it read (a server-side temporary file when the rows came over HTTP).

    Example:
        >>> _unreadable(duckdb.InvalidInputException(
        ...     'Malformed JSON in file "/tmp/x/batch.jsonl", at byte 3')).message
        'cannot read the metrics file: Malformed JSON in the file, at byte 3'
    """
    if isinstance(exc, UnicodeDecodeError):
        text = exc.object.decode("utf-8", "replace")
    else:
        text = str(exc)
    first = _FILE_NAMED.sub(" in the file", (text.splitlines() or [""])[0])
    return InputError(f"cannot read the metrics file: {first}", details={"reason": first[:300]})


def _bad_rows(bad: pa.Table) -> list[dict[str, Any]]:
    """The first ``_BAD_SHOWN`` bad rows (by line) as ``{"line", "reason"}``."""
    order = pc.sort_indices(bad.column("line"))[:_BAD_SHOWN]
    shown = bad.select(["line", "reason"]).take(order)
    return [{"line": int(r["line"]), "reason": r["reason"]} for r in shown.to_pylist()]


def _first_of_each_key(table: pa.Table) -> tuple[pa.Table, list[dict[str, Any]]]:
    """Drop the later occurrences of a ``(subject, country, day)`` (the table is sorted by key
    then line, so they follow their first one); they are reported as duplicates."""
    n = table.num_rows
    if n < 2:
        return table, []
    same = None
    for c in ("subject_id", "country", "day"):
        col = table.column(c)
        eq = pc.equal(col.slice(1), col.slice(0, n - 1))
        same = eq if same is None else pc.and_(same, eq)
    repeat = pa.concat_arrays([pa.array([False]), *same.chunks])  # type: ignore[union-attr]
    if not pc.any(repeat).as_py():
        return table, []
    lines = table.column("line").to_pylist()
    flags = repeat.to_pylist()
    dups: list[dict[str, Any]] = []
    first = lines[0]
    for i in range(n):
        if not flags[i]:
            first = lines[i]
        else:
            reason = f"duplicate of line {first} (same subject, country and date)"
            dups.append({"line": int(lines[i]), "reason": reason})
    return table.filter(pc.invert(repeat)), dups


def threshold_candidates(
    con: duckdb.DuckDBPyConnection,
    rules_for: Callable[[str, str], list[Rule]],
    watched: Sequence[tuple[str, str]],
) -> list[tuple[str, str, str, str]]:
    """(subject, type, country, latest day) of the ``good`` rows that may cross a threshold
    (a value reaches the lowest bound of the rules ``rules_for(type, country)`` returns) or
    whose ``(subject, country)`` is ``watched`` (above a threshold before)."""
    tests = []
    pairs = con.execute("SELECT DISTINCT country, subject_type FROM good").fetchall()
    for country, kind in pairs:
        bounds = threshold_bounds(rules_for(kind, country), country)
        parts = [f"{c} >= {b}" for c, b in bounds.items()]
        if parts:
            tests.append(
                f"(country = {_quote(country)} AND subject_type = {_quote(kind)} "
                f"AND ({' OR '.join(parts)}))"
            )
    con.register(
        "watched",
        pa.table(
            {"subject_id": [k[0] for k in watched], "country": [k[1] for k in watched]},
            schema=pa.schema([("subject_id", pa.string()), ("country", pa.string())]),
        ),
    )
    where = " OR ".join(tests) or "false"
    return [
        tuple(r)
        for r in con.execute(
            "SELECT subject_id, any_value(subject_type), country, max(day) FROM good g "
            f"WHERE {where} OR EXISTS (SELECT 1 FROM watched w "
            "WHERE w.subject_id = g.subject_id AND w.country = g.country) "
            "GROUP BY subject_id, country ORDER BY 1, 3"
        ).fetchall()
    ]


def day_counts(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    """The number of good rows per ``(country, day)``."""
    return {
        (r[0], r[1]): int(r[2])
        for r in con.execute("SELECT country, day, count(*) FROM good GROUP BY ALL").fetchall()
    }


#: Checking in DuckDB, one pass over the source: every row typed, with the first problem
#: found as ``reason`` (NULL for a good row), the good rows first, sorted by key and line
#: (later duplicates follow their first), then the bad ones. The regular expressions run
#: only on the rows a cheap test does not settle (a count or date whose text is not its
#: canonical form). A good row's date text is already the canonical ``YYYY-MM-DD`` from
#: year 1000 on.
_CHECK = """
SELECT subject_id, country,
       CASE WHEN date_raw >= '1000' THEN date_raw ELSE strftime(d, '%Y-%m-%d') END AS day,
       subject_type,
       subs AS subscribers, visits AS monthly_visits,
       CASE WHEN live_raw IS NULL THEN NULL
            ELSE CAST(live_raw IN ('true', '1', 'yes') AS TINYINT) END AS livestreaming,
       CASE WHEN mon_raw IS NULL THEN NULL
            ELSE CAST(mon_raw IN ('true', '1', 'yes') AS TINYINT) END AS monetised,
       line, reason
FROM (SELECT *, CASE
  WHEN subject_id IS NULL THEN 'subject_id is missing'
  WHEN length(subject_id) > 256 THEN 'subject_id is longer than 256 characters'
  WHEN subject_type NOT IN ('account', 'service') THEN 'subject_type must be account or service'
  WHEN country IS NULL OR strlen(country) <> 2 OR ascii(country) NOT BETWEEN 65 AND 90
    OR ascii(country[2]) NOT BETWEEN 65 AND 90
    THEN 'country must be an ISO 3166-1 alpha-2 code'
  WHEN date_raw IS NULL OR d IS NULL OR (date_raw <> CAST(d AS VARCHAR)
    AND NOT regexp_full_match(date_raw, '\\d{{4}}-\\d{{2}}-\\d{{2}}'))
    THEN 'date must be YYYY-MM-DD'
  WHEN d < DATE '0001-01-01' OR d > DATE '2999-12-31'
    THEN 'date must be between 0001-01-01 and 2999-12-31'
  WHEN subs_raw IS NOT NULL
    AND (subs IS NULL OR ((subs < 0 OR subs_raw <> CAST(subs AS VARCHAR))
      AND NOT regexp_full_match(subs_raw, '[0-9]+')))
    THEN 'subscribers must be a non-negative integer'
  WHEN visits_raw IS NOT NULL
    AND (visits IS NULL OR ((visits < 0 OR visits_raw <> CAST(visits AS VARCHAR))
      AND NOT regexp_full_match(visits_raw, '[0-9]+')))
    THEN 'monthly_visits must be a non-negative integer'
  WHEN live_raw IS NOT NULL AND live_raw NOT IN ('true', 'false', '1', '0', 'yes', 'no')
    THEN 'livestreaming must be true or false'
  WHEN mon_raw IS NOT NULL AND mon_raw NOT IN ('true', 'false', '1', '0', 'yes', 'no')
    THEN 'monetised must be true or false'
  WHEN subs_raw IS NULL AND visits_raw IS NULL AND live_raw IS NULL AND mon_raw IS NULL
    THEN 'no metric given (subscribers, monthly_visits, livestreaming or monetised)'
END AS reason FROM (
SELECT line, nullif(trim(subject_id), '') AS subject_id,
       coalesce(nullif(lower(trim(subject_type)), ''), 'account') AS subject_type,
       upper(trim(country)) AS country, nullif(trim(date), '') AS date_raw,
       TRY_CAST(trim(date) AS DATE) AS d,
       nullif(trim(subscribers), '') AS subs_raw, TRY_CAST(trim(subscribers) AS BIGINT) AS subs,
       nullif(trim(monthly_visits), '') AS visits_raw,
       TRY_CAST(trim(monthly_visits) AS BIGINT) AS visits,
       nullif(lower(trim(livestreaming)), '') AS live_raw,
       nullif(lower(trim(monetised)), '') AS mon_raw
FROM (SELECT row_number() OVER () + {offset} AS line, {cols} FROM {source})))
ORDER BY reason IS NOT NULL, subject_id, country, d, line
"""
