"""The console's QUEUES: ``/console/queues/<kind>`` for every declared case kind, and
``/console/my-work``.

A queue lists a kind's cases (its open ones unless ``state`` says otherwise) with the
columns its declaration names, a deadline badge (breached / due soon, from the kind's
clock), sorted by deadline or opening time (``sort``: ``due``, ``-due``, ``opened``,
``-opened``), filtered by state, by deadline (``due=breached|soon``) and to the cases the
reader can act on (``who=mine``), a page at a time (``after``: the keyset cursor the
"next page" link carries), with the number of cases in each state. "My work" is, for each
kind, the open cases in a state where the reader's roles have an action, deadline first.
Each case links to ``/console/cases/<kind>/<id>``. Reading a queue needs ``cases.read``
(decided and written to the ledger like the JSON API).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from onshore.core.cases.declaration import CaseKindDeclaration
from onshore.core.cases.queue import (
    DUE_FILTERS,
    SORTS,
    actionable_states,
    badge,
    cell,
    columns,
    sort_named,
)
from onshore.core.cases.registry import KINDS
from onshore.core.errors import InputError, NotFound
from onshore.core.identity import Principal
from onshore.ports import Case
from onshore.server.auth import allowed_any
from onshore.server.console.frame import PREFIX, ConsoleRoute, ctx_of, reader_may, render
from onshore.server.permissions import Permission
from onshore.services.case_queue import CaseQueue, QueueFilter

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

#: The ``state`` value that lists every state, terminal ones included.
ALL = "all"


@dataclass(frozen=True, slots=True)
class Row:
    """One case as a queue shows it."""

    case: Case
    link: str
    cells: list[str]
    badge: str | None


def _queue_of(request: Request) -> CaseQueue:
    ctx = ctx_of(request)
    found: CaseQueue | None = getattr(request.app.state, "onshore_case_queue", None)
    if found is None or found.runtime is not ctx.vault.runtime:
        found = CaseQueue(ctx.vault.runtime)
        request.app.state.onshore_case_queue = found
    return found


def _kind(name: str) -> CaseKindDeclaration:
    try:
        return KINDS[name]
    except KeyError:
        raise NotFound("no such case kind", details={"kind": name[:64]}) from None


def case_link(case: Case) -> str:
    """The case page of ``case``."""
    return f"{PREFIX}/cases/{case.kind}/{case.case_id}"


def _rows(request: Request, kind: CaseKindDeclaration, cases: list[Case]) -> list[Row]:
    now = ctx_of(request).vault.runtime.clock.now()
    cols = columns(kind)
    return [
        Row(
            c, case_link(c), [cell(c.data, p) for p, _ in cols], badge(kind, c.state, c.due_at, now)
        )
        for c in cases
    ]


def _url(path: str, params: dict[str, Any]) -> str:
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        if isinstance(value, list | tuple):
            pairs.extend((name, str(v)) for v in value)
        elif value:
            pairs.append((name, str(value)))
    return f"{path}?{urlencode(pairs)}" if pairs else path


@router.get("/queues/{kind}", summary="A work queue of one case kind")
async def queue_page(
    request: Request,
    kind: str,
    state: list[str] = Query(default=[]),  # noqa: B008
    due: str | None = Query(default=None, max_length=16),
    who: str | None = Query(default=None, max_length=16),
    sort: str | None = Query(default=None, max_length=16),
    after: str | None = Query(default=None, max_length=300),
    viewer: Principal = Depends(reader_may(Permission.CASES_READ)),  # noqa: B008
) -> HTMLResponse:
    """The queue of ``kind`` (see module)."""
    declaration = _kind(kind)
    order = sort_named(sort)
    state = [s for s in state if s]
    if due and due not in DUE_FILTERS:
        raise InputError("unknown deadline filter", details={"due": due, "known": DUE_FILTERS})
    states = None if not state else (declaration.states if ALL in state else tuple(state))
    mine = who == "mine"
    which = QueueFilter(states, due or None, viewer.roles if mine else None)
    queue = _queue_of(request)
    ctx = ctx_of(request)
    now = ctx.vault.runtime.clock.now()
    size = ctx.vault.runtime.settings.console.page_size
    page = await run_in_threadpool(
        queue.queue, declaration, which, order, now=now, after=after, limit=size
    )
    counts = await run_in_threadpool(queue.counts, declaration.name)
    path = f"{PREFIX}/queues/{declaration.name}"
    kept = {"state": state, "due": due, "who": who if mine else None}
    return render(
        request,
        "queue.html",
        kind=declaration,
        new_url=f"{PREFIX}/new/{declaration.segment}"
        if declaration.intake is not None and allowed_any(viewer.roles, Permission.CASES_WRITE)
        else None,
        columns=columns(declaration),
        rows=_rows(request, declaration, page.cases),
        counts=[(s, counts.get(s, 0), s in declaration.terminal) for s in declaration.states],
        open_total=sum(counts.get(s, 0) for s in declaration.open_states),
        total=sum(counts.values()),
        selected_states=state,
        due=due or "",
        mine=mine,
        sort=order.key,
        sorts=list(SORTS),
        sort_url={key: _url(path, {**kept, "sort": key}) for key in SORTS},
        state_url=lambda s: _url(path, {"state": [s], "sort": order.key}),
        next_url=_url(path, {**kept, "sort": order.key, "after": page.next_cursor})
        if page.next_cursor
        else None,
        first_url=_url(path, {**kept, "sort": order.key}) if after else None,
        mine_states=actionable_states(declaration, viewer.roles),
    )


@router.get("/my-work", summary="The reader's work: cases where they have an action")
async def my_work(
    request: Request,
    viewer: Principal = Depends(reader_may(Permission.CASES_READ)),  # noqa: B008
) -> HTMLResponse:
    """For each kind, the open cases in states where the reader's roles have an action,
    deadline first (a page of each, with a link to the full filtered queue)."""
    queue = _queue_of(request)
    ctx = ctx_of(request)
    now = ctx.vault.runtime.clock.now()
    size = ctx.vault.runtime.settings.console.page_size
    sections = []
    for declaration in KINDS.values():
        which = QueueFilter(None, None, viewer.roles)
        if not which.states_of(declaration):
            continue
        page = await run_in_threadpool(
            queue.queue, declaration, which, sort_named("due"), now=now, limit=size
        )
        counts = await run_in_threadpool(queue.counts, declaration.name)
        waiting = sum(counts.get(s, 0) for s in which.states_of(declaration))
        sections.append(
            {
                "kind": declaration,
                "columns": columns(declaration),
                "rows": _rows(request, declaration, page.cases),
                "waiting": waiting,
                "more": page.next_cursor is not None,
                "queue_url": _url(f"{PREFIX}/queues/{declaration.name}", {"who": "mine"}),
            }
        )
    return render(request, "my_work.html", sections=sections)
