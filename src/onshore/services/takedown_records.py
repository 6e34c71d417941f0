"""Takedown records that travel, clocks and reports: DSA Transparency Database statements,
Lumen notices, breached and due-soon notices, the removal-request report (the reading half of
:class:`~onshore.services.takedowns.TakedownService`, which inherits it).

Example:
    >>> TakedownRecords.report_row.__doc__.split("(")[0]
    'One notice as a report row '
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from onshore.core.cases.lumen import lumen_notice
from onshore.core.cases.statement_of_reasons import export_batch
from onshore.core.cases.takedown_report import report_row, summary
from onshore.core.cases.takedowns import KIND
from onshore.ports import Case
from onshore.services.cases import CaseService, DueReport
from onshore.services.runtime import Runtime


class TakedownRecords:
    """Exports and reports over the takedown cases (the state the service sets up)."""

    runtime: Runtime
    cases: CaseService

    def dsa_export(self, case_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Sent DSA statements as Transparency Database batch bodies (each validated)."""
        cases = (
            [self.cases.get(c) for c in case_ids]
            if case_ids is not None
            else [c for c in self.cases.iter_cases(kind=KIND) if c.data.get("statement")]
        )
        statements = []
        for case in cases:
            st = dict(case.data.get("statement") or {})
            if not st or st.get("decision") == "no_action":
                continue
            st.pop("sent_at", None)
            statements.append(st)
        return export_batch(statements)

    def lumen_export(self, case_id: str) -> dict[str, Any]:
        """The case's notice as a Lumen submission body."""
        case = self.cases.get(case_id)
        return lumen_notice(case.data, case.case_id)

    def report(
        self, *, start: datetime | None = None, end: datetime | None = None
    ) -> dict[str, Any]:
        """Removal requests by requester type, reason, action and state, with median times
        to acknowledge and to action, and how many missed their deadline."""
        cases = self.cases.iter_cases(kind=KIND, created_from=start, created_before=end)
        return summary([self.report_row(c) for c in cases])

    def report_row(self, case: Case) -> dict[str, Any]:
        """One notice as a report row (no personal data: no sender, no content)."""
        return report_row(case.case_id, case.state, case.data, self.runtime.clock.now())

    def due(
        self, *, within: timedelta = timedelta(hours=6), now: datetime | None = None
    ) -> DueReport:
        """Open notices past their deadline (breached) and due within ``within``."""
        return self.cases.due(kind=KIND, within=within, now=now)

    def refresh_gauges(self, *, now: datetime | None = None) -> None:
        """Export the case gauges (open, overdue, due soon) for takedowns."""
        self.cases.refresh_gauges(now=now, within=timedelta(hours=6))
