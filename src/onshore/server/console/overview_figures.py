"""The overview's transparency figures: requests and removals per authority, per outcome and
per month, with the transparency report's small-count suppression.

Authority requests are counted by the report's own tables
(:func:`onshore.core.cases.transparency.requests_table` over
:func:`onshore.services.transparency.collect_facts`); removals (takedown notices, by the
takedown report's rows, :meth:`~onshore.services.takedown_records.TakedownRecords.report_row`)
go through the same suppression (:func:`~onshore.core.cases.transparency.suppress_counts`):
a count ``0 < n < k`` is shown as ``< k``, and a row whose total is that small is hidden
whole. Months are calendar months in the deployment's time zone, the last ``months`` of them
up to the current one.

Example:
    >>> month_starts(datetime(2026, 3, 9, tzinfo=UTC), UTC, 3)[0].isoformat()
    '2026-01-01T00:00:00+00:00'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from itertools import pairwise
from typing import Any

from onshore.core.cases.takedowns import KIND as TAKEDOWN
from onshore.core.cases.transparency import RequestFacts, requests_table, suppress_counts
from onshore.core.svgchart import Chart, Series, bar_chart
from onshore.services.authority_requests import AuthorityRequestService
from onshore.services.takedowns import TakedownService
from onshore.services.transparency import collect_facts

#: The suppression threshold: the transparency report's default (``onshore report``).
K = 5
#: The request outcomes charted, as columns of the report's requests table.
REQUEST_OUTCOMES = ("some_data_produced", "no_data", "rejected")
#: The removal outcomes: the takedown decision's action, or ``pending``.
REMOVAL_OUTCOMES = ("remove", "restrict", "no_action", "pending")

Gettext = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Figure:
    """One chart and its table: a row per category, a value per column (``None``: hidden)."""

    ident: str
    title: str
    description: str
    heading: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[int | None, ...]], ...]
    suppressed_text: str

    def chart(self) -> Chart:
        """The figure as a (stacked, with several columns) bar chart."""
        series = tuple(
            Series(name, tuple(values[c] for _, values in self.rows))
            for c, name in enumerate(self.columns)
        )
        return Chart(
            self.ident,
            self.title,
            self.description,
            tuple(label for label, _ in self.rows),
            series,
            self.suppressed_text,
        )

    def svg(self) -> str:
        """The chart's SVG text."""
        return bar_chart(self.chart())

    def cell(self, value: int | None) -> str:
        """A table cell's text: the count, or the suppressed marker."""
        return self.suppressed_text if value is None else str(value)


def month_starts(now: datetime, tz: tzinfo, months: int) -> list[datetime]:
    """The first instants of the last ``months`` months in ``tz``, oldest first, followed by
    the start of the next month (so ``months + 1`` bounds)."""
    local = now.astimezone(tz)
    year, month = local.year, local.month
    out: list[datetime] = []
    for back in range(months - 1, -2, -1):
        y, m = divmod(month - 1 - back, 12)
        out.append(datetime(year + y, m + 1, 1, tzinfo=tz))
    return out


def _values(row: dict[str, Any], columns: Sequence[str]) -> tuple[int | None, ...]:
    return tuple(row[c] for c in columns)


def request_figures(
    svc: AuthorityRequestService, bounds: Sequence[datetime], k: int, _: Gettext
) -> list[Figure]:
    """Authority requests received between the first and last of ``bounds``: per
    authority country, per outcome, and per month (one month between two bounds)."""
    marker = f"< {k}"  # a symbol, the same in every language
    per_month: list[tuple[str, list[RequestFacts]]] = []
    for start, end in pairwise(bounds):
        facts = collect_facts(svc, start.astimezone(UTC), end.astimezone(UTC))
        per_month.append((start.strftime("%Y-%m"), facts))
    every = [f for _label, facts in per_month for f in facts]
    table = requests_table(every, k)
    countries = [r for r in table.rows if r["country"] != "ALL"]
    total = table.rows[-1]
    months = [(label, requests_table(facts, k).rows[-1]) for label, facts in per_month]
    requests = _("Requests")
    outcome_names = {
        "some_data_produced": _("Some data produced"),
        "no_data": _("No data"),
        "rejected": _("Rejected"),
    }
    return [
        Figure(
            "requests-by-authority",
            _("Authority requests per authority country"),
            _("Requests received in the period, one bar per authority country."),
            _("Authority country"),
            (requests,),
            tuple((r["country"], _values(r, ("requests",))) for r in countries),
            marker,
        ),
        Figure(
            "requests-by-outcome",
            _("Authority requests per outcome"),
            _("How the requests received in the period ended, one bar per outcome."),
            _("Outcome"),
            (requests,),
            tuple((outcome_names[c], (total[c],)) for c in REQUEST_OUTCOMES),
            marker,
        ),
        Figure(
            "requests-by-month",
            _("Authority requests per month"),
            _("Requests received each month, one bar per month."),
            _("Month"),
            (requests,),
            tuple((label, _values(row, ("requests",))) for label, row in months),
            marker,
        ),
    ]


def _removal_row(label: str, rows: Iterable[dict[str, Any]], k: int) -> dict[str, Any]:
    counted = list(rows)
    row: dict[str, Any] = {"country": label, "requests": len(counted)}
    for outcome in REMOVAL_OUTCOMES:
        row[outcome] = sum(1 for r in counted if r["action"] == outcome)
    return suppress_counts(row, k)


def removal_figures(
    svc: TakedownService, bounds: Sequence[datetime], tz: tzinfo, k: int, _: Gettext
) -> list[Figure]:
    """Takedown notices received between the first and last of ``bounds``: per requester
    type, per outcome (the action decided, or pending), and per month stacked by outcome."""
    marker = f"< {k}"  # a symbol, the same in every language
    start, end = bounds[0].astimezone(UTC), bounds[-1].astimezone(UTC)
    rows: list[tuple[str, dict[str, Any]]] = []
    for case in svc.cases.iter_cases(kind=TAKEDOWN, created_from=start, created_before=end):
        rows.append((case.created_at.astimezone(tz).strftime("%Y-%m"), svc.report_row(case)))
    sources = sorted({r["source"] for _m, r in rows})
    by_source = [_removal_row(s, (r for _m, r in rows if r["source"] == s), k) for s in sources]
    total = _removal_row("ALL", (r for _m, r in rows), k)
    labels = [b.strftime("%Y-%m") for b in bounds[:-1]]
    by_month = [_removal_row(m, (r for mm, r in rows if mm == m), k) for m in labels]
    names = {
        "remove": _("Removed"),
        "restrict": _("Restricted"),
        "no_action": _("No action"),
        "pending": _("Pending"),
    }
    source_names = {
        "authority_order": _("Authority order"),
        "trusted_flagger": _("Trusted flagger"),
        "user_complaint": _("User complaint"),
    }
    notices = _("Notices")
    return [
        Figure(
            "removals-by-requester",
            _("Removal notices per requester"),
            _("Takedown notices received in the period, one bar per kind of requester."),
            _("Requester"),
            (notices,),
            tuple(
                (source_names.get(r["country"], r["country"]), _values(r, ("requests",)))
                for r in by_source
            ),
            marker,
        ),
        Figure(
            "removals-by-outcome",
            _("Removal notices per outcome"),
            _("What was decided on the notices received in the period, one bar per outcome."),
            _("Outcome"),
            (notices,),
            tuple((names[o], (total[o],)) for o in REMOVAL_OUTCOMES),
            marker,
        ),
        Figure(
            "removals-by-month",
            _("Removal notices per month, by outcome"),
            _("Notices received each month; each bar is divided by outcome."),
            _("Month"),
            tuple(names[o] for o in REMOVAL_OUTCOMES),
            tuple((r["country"], _values(r, REMOVAL_OUTCOMES)) for r in by_month),
            marker,
        ),
    ]
