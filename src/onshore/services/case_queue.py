"""Work queues over the cases of one kind: filtered, sorted and keyset-paged, with counts.

A queue is a ``CaseReads.page`` listing of one kind over every region. By default it holds
the open cases; ``states`` narrows it, ``due`` keeps the breached (deadline passed) or the
due-soon ones (within the kind's clock's window), ``mine`` the states where the reader's
roles have an action (``core.cases.queue.actionable_states``). Sorted by deadline, the
cases with a deadline come first and those without follow (by id), so none is left out;
the cursor says which of the two runs the next page continues. Every page is one indexed
range read per region (``cases_queue_by_due`` / ``cases_queue_by_created``): no offset, no
count of what came before. ``counts`` is one ``GROUP BY state`` per region over the
``(kind, state)`` index.

Example:
    >>> split_cursor(None), split_cursor("d~2026|c-1"), split_cursor("u~")
    (('d', None), ('d', '2026|c-1'), ('u', None))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import CollectorRegistry

from onshore.core.cases.declaration import CaseKindDeclaration
from onshore.core.cases.queue import Sort, actionable_states, due_soon_window
from onshore.core.errors import InputError
from onshore.ports import CasePage
from onshore.services.case_reads import CaseReads
from onshore.services.runtime import Runtime

_PHASES = ("d", "u")


def split_cursor(cursor: str | None) -> tuple[str, str | None]:
    """``(run, listing cursor)`` of a deadline-sorted queue's cursor: run ``d`` (cases with
    a deadline) or ``u`` (cases without); ``InputError`` when malformed."""
    if not cursor:
        return "d", None
    run, sep, inner = cursor.partition("~")
    if not sep or run not in _PHASES:
        raise InputError("malformed queue cursor", details={"cursor": cursor[:200]})
    return run, inner or None


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What a queue holds: ``states`` (None: the open ones), ``due`` (None, ``breached``
    or ``soon``) and ``roles`` (None: everyone's work; else only states they can act in)."""

    states: Sequence[str] | None = None
    due: str | None = None
    roles: frozenset[str] | None = None

    def states_of(self, kind: CaseKindDeclaration) -> tuple[str, ...]:
        """The states the queue lists (``InputError`` for a state ``kind`` lacks)."""
        wanted = tuple(self.states) if self.states is not None else kind.open_states
        unknown = sorted(set(wanted) - set(kind.states))
        if unknown:
            raise InputError("unknown state", details={"states": unknown, "known": kind.states})
        if self.due is not None:
            wanted = tuple(s for s in wanted if s not in kind.terminal)
        if self.roles is not None:
            mine = set(actionable_states(kind, self.roles))
            wanted = tuple(s for s in wanted if s in mine)
        return wanted


class CaseQueue(CaseReads):
    """Queues of declared case kinds over ``runtime``'s regions (see module)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._kinds = {}
        self._registry = CollectorRegistry()

    def counts(self, kind: str) -> dict[str, int]:
        """Cases of ``kind`` per state, over every region."""
        totals: dict[str, int] = {}
        for region in self.runtime.regions.values():
            for (_, state), n in region.db.cases.counts(kind).items():
                totals[state] = totals.get(state, 0) + n
        return totals

    def queue(
        self,
        kind: CaseKindDeclaration,
        which: QueueFilter,
        sort: Sort,
        *,
        now: datetime,
        after: str | None = None,
        limit: int = 50,
    ) -> CasePage:
        """One page of the queue of ``kind`` (see module)."""
        states = which.states_of(kind)
        due_before = due_from = None
        if which.due == "breached":
            due_before = now
        elif which.due == "soon":
            due_from, due_before = now, now + due_soon_window(kind)
        elif which.due is not None:
            raise InputError("unknown deadline filter", details={"due": which.due})

        def listing(order: str, n: int, cursor: str | None, *, undated: bool = False) -> CasePage:
            return self.page(
                kind=kind.name,
                states=states,
                order=order,
                descending=sort.descending and not undated,
                due_before=due_before,
                due_from=due_from,
                undated=undated,
                after=cursor,
                limit=n,
            )

        if sort.order != "due_at" or which.due is not None:
            return listing(sort.order, limit, after)
        run, inner = split_cursor(after)
        dated = CasePage([], None)
        if run == "d":
            dated = listing("due_at", limit, inner)
            if dated.next_cursor is not None:
                return CasePage(dated.cases, f"d~{dated.next_cursor}")
            inner = None
        room = limit - len(dated.cases)
        if room == 0:  # the dated run filled the page: is anything undated left?
            peek = listing("case_id", 1, None, undated=True)
            return CasePage(dated.cases, "u~" if peek.cases else None)
        undated = listing("case_id", room, inner, undated=True)
        cursor = f"u~{undated.next_cursor}" if undated.next_cursor else None
        return CasePage(dated.cases + undated.cases, cursor)
