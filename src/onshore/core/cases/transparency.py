"""The transparency report's tables, with small counts suppressed (pure).

Input is one :class:`RequestFacts` per authority request received in the period; output is
two tables per authority country (plus an ``ALL`` row): ``requests`` (every process type
but preservation) and ``preservation``. Counts ``0 < n < k`` are suppressed (CSV shows
``<k``, JSON ``null`` and names the column under ``suppressed``); a row whose request count
is suppressed is suppressed whole, and a percentage is suppressed with its numerator.

Example:
    >>> f = RequestFacts("VN", "warrant", accounts=2, produced=True, records=3)
    >>> t = requests_table([f] * 6, k=5)
    >>> t.rows[0]["requests"], t.rows[0]["some_data_produced_pct"]
    (6, 100.0)
    >>> requests_table([f] * 2, k=5).rows[0]["requests"] is None
    True
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

REQUEST_COLUMNS = (
    "country",
    "requests",
    "accounts_specified",
    "some_data_produced",
    "some_data_produced_pct",
    "content",
    "non_content",
    "no_data",
    "rejected",
    "with_non_disclosure_order",
    "users_notified",
    "cross_border_blocked",
    "median_acknowledgement_hours",
    "median_completion_hours",
)
PRESERVATION_COLUMNS = (
    "country",
    "requests",
    "accounts_preserved",
    "extended",
    "followed_by_order",
)
#: Columns that are not counts (never suppressed on their own).
_DERIVED = {
    "country",
    "some_data_produced_pct",
    "median_acknowledgement_hours",
    "median_completion_hours",
}


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the report needs to know about one request (no personal data)."""

    country: str
    process_type: str
    accounts: int = 0
    produced: bool = False
    records: int = 0
    content: bool = False
    rejected: bool = False
    reason_code: str | None = None
    ndo: bool = False
    notified: bool = False
    cross_border_blocked: bool = False
    ack_hours: float | None = None
    completion_hours: float | None = None
    preserved_accounts: int = 0
    hold_extended: bool = False
    followed_by_order: bool = False


@dataclass
class Table:
    """One report table: its columns and rows (``None`` where suppressed)."""

    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def csv(self, k: int) -> str:
        """RFC 4180 CSV (CRLF line ends); suppressed cells read ``<k``."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in self.rows:
            hidden = set(row.get("suppressed", ()))
            writer.writerow(
                [
                    f"<{k}" if c in hidden else ("" if row[c] is None else row[c])
                    for c in self.columns
                ]
            )
        return buf.getvalue()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"name": self.name, "columns": list(self.columns), "rows": self.rows}


def _suppress(row: dict[str, Any], k: int, pct_of: dict[str, str]) -> dict[str, Any]:
    hidden: list[str] = []
    whole = isinstance(row.get("requests"), int) and 0 < row["requests"] < k
    for col, value in list(row.items()):
        if col == "country":
            continue
        small = isinstance(value, int) and col not in _DERIVED and 0 < value < k
        tied = col in pct_of and (whole or (0 < (row.get(pct_of[col]) or 0) < k))
        if whole or small or tied:
            row[col] = None
            hidden.append(col)
    if whole:
        hidden = [c for c in row if c != "country"]
        for c in hidden:
            row[c] = None
    row["suppressed"] = hidden
    return row


def suppress_counts(row: dict[str, Any], k: int) -> dict[str, Any]:
    """Suppress one row of counts as the report's tables do (``country`` is its label and
    ``requests`` its total); the console's charts use it for their figures.

    Example:
        >>> suppress_counts({"country": "2026-05", "requests": 9, "rejected": 2}, 5)
        {'country': '2026-05', 'requests': 9, 'rejected': None, 'suppressed': ['rejected']}
    """
    return _suppress(row, k, {})


def _median(values: Sequence[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return round(median(got), 1) if got else None


def _grouped(
    facts: Sequence[RequestFacts], build: Callable[[str, list[RequestFacts]], dict[str, Any]]
) -> list[dict[str, Any]]:
    countries = sorted({f.country for f in facts})
    rows = [build(c, [f for f in facts if f.country == c]) for c in countries]
    rows.append(build("ALL", list(facts)))
    return rows


def requests_table(facts: Sequence[RequestFacts], k: int) -> Table:
    """Requests (all but preservation) per authority country, suppressed below ``k``."""

    def build(country: str, fs: list[RequestFacts]) -> dict[str, Any]:
        produced = [f for f in fs if f.produced and f.records > 0]
        n = len(fs)
        return {
            "country": country,
            "requests": n,
            "accounts_specified": sum(f.accounts for f in fs),
            "some_data_produced": len(produced),
            "some_data_produced_pct": round(100.0 * len(produced) / n, 1) if n else None,
            "content": sum(1 for f in produced if f.content),
            "non_content": sum(1 for f in produced if not f.content),
            "no_data": sum(
                1 for f in fs if (f.produced and f.records == 0) or f.reason_code == "no_data"
            ),
            "rejected": sum(1 for f in fs if f.rejected),
            "with_non_disclosure_order": sum(1 for f in fs if f.ndo),
            "users_notified": sum(1 for f in fs if f.notified),
            "cross_border_blocked": sum(1 for f in fs if f.cross_border_blocked),
            "median_acknowledgement_hours": _median([f.ack_hours for f in fs]),
            "median_completion_hours": _median([f.completion_hours for f in fs]),
        }

    chosen = [f for f in facts if f.process_type != "preservation"]
    rows = [
        _suppress(r, k, {"some_data_produced_pct": "some_data_produced"})
        for r in _grouped(chosen, build)
    ]
    return Table("requests", REQUEST_COLUMNS, rows)


def preservation_table(facts: Sequence[RequestFacts], k: int) -> Table:
    """Preservation requests per authority country, suppressed below ``k``."""

    def build(country: str, fs: list[RequestFacts]) -> dict[str, Any]:
        return {
            "country": country,
            "requests": len(fs),
            "accounts_preserved": sum(f.preserved_accounts for f in fs),
            "extended": sum(1 for f in fs if f.hold_extended),
            "followed_by_order": sum(1 for f in fs if f.followed_by_order),
        }

    chosen = [f for f in facts if f.process_type == "preservation" or f.preserved_accounts]
    return Table(
        "preservation", PRESERVATION_COLUMNS, [_suppress(r, k, {}) for r in _grouped(chosen, build)]
    )


def report_json(tables: Sequence[Table], meta: dict[str, Any]) -> str:
    """The JSON document of a report (sorted keys, two-space indent)."""
    return (
        json.dumps(
            {**meta, "tables": [t.to_dict() for t in tables]},
            indent=2,
            sort_keys=True,
            ensure_ascii=False,
        )
        + "\n"
    )
