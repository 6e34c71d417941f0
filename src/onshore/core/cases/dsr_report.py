"""Data-subject requests in the transparency report: one row per subject country (pure).

:func:`facts_of` reads what the report needs from one ``dsr`` case (type, country,
outcome, refusal grounds, whether the answer came on time and how long it took: no
personal data); :func:`dsr_table` counts them per country with an ``ALL`` row, with the
report's small-count rule: counts ``0 < n < k`` are suppressed (``None``, named under
``suppressed``), and a row whose request count is suppressed is suppressed whole.

Example:
    >>> f = DsrFacts("VN", "erasure", "answered", on_time=True, hours=30.0)
    >>> t = dsr_table([f] * 6, k=5)
    >>> t.rows[0]["requests"], t.rows[0]["erasure"], t.rows[0]["median_completion_hours"]
    (6, 6, 30.0)
    >>> dsr_table([f] * 2, k=5).rows[0]["answered"] is None
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Any

from onshore.core.cases.case import Case
from onshore.core.cases.dsr import REQUEST_TYPES
from onshore.core.cases.transparency import Table

#: The outcomes a request is counted under.
OUTCOMES = ("answered", "refused", "withdrawn", "erasure_deferred", "open")
DSR_COLUMNS = (
    "country",
    "requests",
    *REQUEST_TYPES,
    *OUTCOMES,
    "answered_late",
    "median_completion_hours",
)
_LABELS = frozenset({"country", "median_completion_hours"})


@dataclass(frozen=True, slots=True)
class DsrFacts:
    """What the report knows of one request (no personal data)."""

    country: str
    request_type: str
    outcome: str
    grounds: tuple[str, ...] = ()
    on_time: bool | None = None
    hours: float | None = None


def facts_of(case: Case) -> DsrFacts:
    """The facts of one ``dsr`` case (``open`` unless it reached an outcome)."""
    d = case.data
    outcome = case.state if case.state in OUTCOMES else "open"
    finished: datetime | None = case.updated_at if outcome in ("answered", "refused") else None
    received = datetime.fromisoformat(d.get("received_at") or case.created_at.isoformat())
    due = (d.get("deadline") or {}).get("due")
    on_time = None
    if finished is not None and due:
        on_time = finished <= datetime.fromisoformat(due)
    hours = round((finished - received).total_seconds() / 3600, 1) if finished else None
    grounds = tuple((d.get("refusal") or {}).get("grounds") or ())
    return DsrFacts(
        str(d.get("country")), str(d.get("request_type")), outcome, grounds, on_time, hours
    )


def _row(country: str, facts: Sequence[DsrFacts], k: int) -> dict[str, Any]:
    row: dict[str, Any] = {"country": country, "requests": len(facts)}
    for kind in REQUEST_TYPES:
        row[kind] = sum(f.request_type == kind for f in facts)
    for outcome in OUTCOMES:
        row[outcome] = sum(f.outcome == outcome for f in facts)
    row["answered_late"] = sum(f.on_time is False for f in facts)
    hours = [f.hours for f in facts if f.hours is not None]
    row["median_completion_hours"] = round(median(hours), 1) if hours else None
    whole = 0 < len(facts) < k
    hidden = [
        c
        for c, v in row.items()
        if c != "country" and (whole or (c not in _LABELS and isinstance(v, int) and 0 < v < k))
    ]
    for c in hidden:
        row[c] = None
    row["suppressed"] = hidden
    return row


def dsr_table(facts: Sequence[DsrFacts], k: int) -> Table:
    """Requests per subject country and an ``ALL`` row (see the module docstring)."""
    countries = sorted({f.country for f in facts})
    rows = [_row(c, [f for f in facts if f.country == c], k) for c in countries]
    if len(countries) != 1:
        rows.append(_row("ALL", list(facts), k))
    return Table("data_subject_requests", DSR_COLUMNS, rows)
