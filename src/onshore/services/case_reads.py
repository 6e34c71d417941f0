"""Reading cases and their clocks: find a case, page through a kind, list what is due.

:class:`CaseReads` is the reading half of :class:`~onshore.services.cases.CaseService`
(which inherits it): ``locate``/``get``/``history``, keyset ``page``s merged over the
regions, ``iter_cases``, the packs' ``deadline`` for an operation, ``due`` (overdue and
due-soon open cases) and ``refresh_gauges`` (Prometheus).

Example:
    >>> DueReport([], []).overdue
    []
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import CollectorRegistry

from onshore.core.cases.deadline import Deadline, earliest_deadline
from onshore.core.cases.kind import CaseKind
from onshore.core.cases.listing import CaseQuery, cursor_after, sort_key
from onshore.core.errors import CaseNotFound
from onshore.core.policy import Facts
from onshore.ports import Case, CaseEvent, CasePage
from onshore.services.case_gauges import gauges_for
from onshore.services.runtime import Region, Runtime


@dataclass(frozen=True, slots=True)
class DueReport:
    """Open cases past their deadline and those due within the window."""

    overdue: list[Case]
    due_soon: list[Case]


class CaseReads:
    """Finding, listing and timing cases (the state :class:`CaseService` sets up)."""

    runtime: Runtime
    _kinds: dict[str, CaseKind]
    _registry: CollectorRegistry

    def kind(self, name: str) -> CaseKind:  # pragma: no cover - CaseService's
        """The registered kind ``name``."""
        raise NotImplementedError

    def locate(self, case_id: str) -> tuple[Region, Case]:
        """The region holding ``case_id`` and the case; ``CaseNotFound`` otherwise."""
        for region in self.runtime.regions.values():
            found = region.db.cases.get(case_id)
            if found is not None:
                return region, found
        raise CaseNotFound("no case with that id", details={"case_id": case_id})

    def get(self, case_id: str) -> Case:
        """The case (searched in every region)."""
        return self.locate(case_id)[1]

    def history(self, case_id: str) -> list[CaseEvent]:
        """The case's history, oldest first."""
        region, _ = self.locate(case_id)
        return region.db.cases.events(case_id)

    def page(
        self,
        *,
        kind: str | None = None,
        states: Sequence[str] | None = None,
        region: str | None = None,
        due_before: datetime | None = None,
        created_from: datetime | None = None,
        created_before: datetime | None = None,
        order: str = "case_id",
        after: str | None = None,
        limit: int = 100,
        due_from: datetime | None = None,
        undated: bool = False,
        descending: bool = False,
    ) -> CasePage:
        """One page of cases over every region (or one): the regions' pages merged by key
        (``core.cases.listing.CaseQuery`` says what each filter keeps)."""
        regions = [self.runtime.region(region)] if region else list(self.runtime.regions.values())
        merged: list[Case] = []
        more = False
        for r in regions:
            query = CaseQuery(
                kind=kind,
                states=states,
                due_before=due_before,
                created_from=created_from,
                created_before=created_before,
                order=order,
                after=after,
                limit=limit,
                due_from=due_from,
                undated=undated,
                descending=descending,
            )
            got = r.db.cases.page(query)
            merged.extend(got.cases)
            more = more or got.next_cursor is not None
        merged.sort(key=lambda c: sort_key(c, order), reverse=descending)
        chunk = merged[:limit]
        cursor = None
        if (more or len(merged) > limit) and chunk:
            cursor = cursor_after(chunk[-1], order)
        return CasePage(chunk, cursor)

    def iter_cases(self, **filters: Any) -> Iterable[Case]:
        """Every case matching ``page`` filters, page by page."""
        after = None
        while True:
            page = self.page(after=after, limit=500, **filters)
            yield from page.cases
            if page.next_cursor is None:
                return
            after = page.next_cursor

    # -- deadlines ------------------------------------------------------------------------

    def deadline(
        self, op: str, facts: Facts, at: datetime, *, requirement: str = "respond_within"
    ) -> Deadline | None:
        """The earliest ``requirement`` deadline the packs give for ``op`` on ``facts``
        (start events come from ``facts.events``), or None when no rule sets one."""
        decision = self.runtime.engine.evaluate(op, facts, at)
        return earliest_deadline(decision.obligations, requirement)

    def due(
        self,
        *,
        kind: str | None = None,
        within: timedelta = timedelta(hours=24),
        now: datetime | None = None,
    ) -> DueReport:
        """Open cases (not in a terminal state) past due, and due within ``within``."""
        now = now or self.runtime.clock.now()
        overdue: list[Case] = []
        soon: list[Case] = []
        for name in [kind] if kind else sorted(self._kinds):
            life = self.kind(name).lifecycle
            open_states = [s for s in life.states if not life.is_terminal(s)]
            for case in self.iter_cases(
                kind=name, states=open_states, order="due_at", due_before=now + within
            ):
                assert case.due_at is not None
                (overdue if case.due_at <= now else soon).append(case)
        return DueReport(overdue, soon)

    def refresh_gauges(
        self, *, now: datetime | None = None, within: timedelta = timedelta(hours=24)
    ) -> None:
        """Set ``onshore_cases_open``, ``onshore_cases_overdue``, ``onshore_cases_due_soon``."""
        gauges = gauges_for(self._registry)
        totals: dict[tuple[str, str], int] = {}
        for region in self.runtime.regions.values():
            for key, n in region.db.cases.counts().items():
                totals[key] = totals.get(key, 0) + n
        gauges.set_open({name: kind.lifecycle for name, kind in self._kinds.items()}, totals)
        report = self.due(within=within, now=now)
        gauges.set_due(self._kinds, report.overdue, report.due_soon)
