"""The console's queues over real SQLite stores (two regions): every sort and filter walked
page by page (no duplicate, no gap, the order a reference sort gives), deadline badges,
counts per state, "my work" by role, and a query plan that reads an index range per page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from onshore.core.cases.queue import actionable_states
from onshore.core.cases.registry import KINDS
from onshore.ports import Case
from tests.console.support import (
    START,
    TestClient,
    add_user,
    app,
    client,
    clock,
    fresh_name,
    server,
    sign_in,
    vault,
)

__all__ = ["app", "client", "clock", "server", "vault"]  # fixtures used here

TAKEDOWN = KINDS["takedown"]
PAGE = 5
_ROW = re.compile(r'<td class="id"><a href="/console/cases/takedown/([^"]+)">')
_NEXT = re.compile(r'<a href="([^"]+)" rel="next">')


@pytest.fixture(scope="module")
def console_tables() -> dict[str, Any]:
    """Small pages, so that a few cases make several."""
    return {"console": {"page_size": PAGE}}


def _dataset() -> list[Case]:
    """27 takedowns: breached, due soon, later, without a deadline, closed; shared deadlines
    and opening times (ties broken by id); spread over both regions."""
    states = ["received", "triaged", "review", "appealed", "received", "closed", "validating"]
    hours = [-30, -2, 0, 1, 5, 6, 7, 30, 200, None]
    cases = []
    for i in range(27):
        offset = hours[i % len(hours)]
        due = None if offset is None else START + timedelta(hours=offset)
        if i in (11, 12):
            due = START + timedelta(hours=7)  # the same deadline as case 6
        created = START - timedelta(days=1 + (i * 7) % 5)  # five opening times, shared
        region = "vn-hcm" if i % 3 else "sg-1"
        notice = {"source": "trusted_flagger", "reference": f"N-{i}", "urgent": i == 4}
        data = {"notice": notice, "priority": "normal"}
        state = states[i % len(states)]
        cases.append(Case(f"tkd-{i:02d}", "takedown", state, region, created, created, due, data))
    return cases


CASES = _dataset()


@pytest.fixture(scope="module", autouse=True)
def seeded(app: FastAPI) -> None:
    """The dataset, written to the regions' case stores."""
    regions = app.state.onshore.vault.runtime.regions
    for case in CASES:
        regions[case.region].db.cases.create(case)


@pytest.fixture
def reviewer(app: FastAPI, client: TestClient) -> TestClient:
    """A browser signed in as a legal reviewer."""
    name = fresh_name("lan")
    add_user(app, name, ["legal_reviewer"])
    sign_in(client, name)
    return client


def _reference(
    *,
    states: list[str] | None = None,
    due: str | None = None,
    roles: set[str] | None = None,
    sort: str = "due",
) -> list[str]:
    """The ids a queue must list, in order, computed straight from the dataset."""
    wanted = set(states) if states is not None else set(TAKEDOWN.open_states)
    if due or roles:
        wanted -= TAKEDOWN.terminal
    if roles is not None:
        wanted &= set(actionable_states(TAKEDOWN, roles))
    soon = START + TAKEDOWN.clock.due_soon if TAKEDOWN.clock else START
    kept = [c for c in CASES if c.state in wanted]
    if due == "breached":
        kept = [c for c in kept if c.due_at is not None and c.due_at < START]
    elif due == "soon":
        kept = [c for c in kept if c.due_at is not None and START <= c.due_at < soon]
    if sort in ("opened", "-opened"):
        ordered = sorted(kept, key=lambda c: (c.created_at, c.case_id), reverse=sort == "-opened")
        return [c.case_id for c in ordered]
    dated = sorted(
        (c for c in kept if c.due_at is not None),
        key=lambda c: (c.due_at or START, c.case_id),
        reverse=sort == "-due",
    )
    undated = [] if due else sorted((c for c in kept if c.due_at is None), key=lambda c: c.case_id)
    return [c.case_id for c in [*dated, *undated]]


def _walk(client: TestClient, url: str) -> Iterator[list[str]]:
    """The ids on each page of a queue, following its "next page" link."""
    for _ in range(50):
        page = client.get(url)
        assert page.status_code == 200, page.text
        yield _ROW.findall(page.text)
        found = _NEXT.search(page.text)
        if found is None:
            return
        url = found.group(1).replace("&amp;", "&")
    raise AssertionError("the queue never ends")


@pytest.mark.parametrize("sort", ["due", "-due", "opened", "-opened"])
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"state": ["all"]},
        {"state": ["received", "closed"]},
        {"due": "breached"},
        {"due": "soon"},
        {"who": "mine"},
        {"who": "mine", "due": "breached"},
    ],
    ids=["open", "all", "two-states", "breached", "soon", "mine", "mine-breached"],
)
def test_every_page_in_order_with_no_duplicate_and_no_gap(
    reviewer: TestClient, sort: str, query: dict[str, Any]
) -> None:
    pairs = [("sort", sort), *((k, v) for k, vs in query.items() for v in _listed(vs))]
    url = "/console/queues/takedown?" + "&".join(f"{k}={v}" for k, v in pairs)
    pages = list(_walk(reviewer, url))
    seen = [case_id for page in pages for case_id in page]
    states = query.get("state")
    expected = _reference(
        states=list(TAKEDOWN.states) if states == ["all"] else states,
        due=query.get("due"),
        roles={"legal_reviewer"} if query.get("who") == "mine" else None,
        sort=sort,
    )
    assert seen == expected
    assert len(seen) == len(set(seen))
    assert all(len(page) <= PAGE for page in pages)
    assert all(len(page) == PAGE for page in pages[:-1])  # only the last page is short


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_the_reference_covers_what_the_queue_must_handle() -> None:
    everything = _reference(states=list(TAKEDOWN.states))
    assert len(everything) == len(CASES) > 4 * PAGE
    assert _reference(due="breached") and _reference(due="soon")
    undated = [c for c in CASES if c.due_at is None and c.state in TAKEDOWN.open_states]
    assert undated and len(_reference(due="breached")) < len(_reference())
    assert len({c.region for c in CASES}) == 2


def _badges(html: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for row in html.split("<tr>")[2:]:
        found = _ROW.search(row)
        if found:
            badge = re.search(r'data-badge="(\w+)"', row)
            out[found.group(1)] = badge.group(1) if badge else None
    return out


def test_deadline_badges_follow_the_kinds_clock(reviewer: TestClient) -> None:
    badges: dict[str, str | None] = {}
    for url in ("/console/queues/takedown?state=all&sort=due",):
        page = reviewer.get(url)
        badges.update(_badges(page.text))
        while (more := _NEXT.search(page.text)) is not None:
            page = reviewer.get(more.group(1).replace("&amp;", "&"))
            badges.update(_badges(page.text))
    window = TAKEDOWN.clock.due_soon if TAKEDOWN.clock else timedelta(0)
    assert window == timedelta(hours=6)
    for case in CASES:
        expected = None
        if case.due_at is not None and case.state not in TAKEDOWN.terminal:
            if case.due_at <= START:
                expected = "breached"
            elif case.due_at - START <= window:
                expected = "due_soon"
        assert badges[case.case_id] == expected, case
    assert badges["tkd-00"] == "breached"  # 30 h late
    assert badges["tkd-02"] == "breached"  # due this very minute
    assert badges["tkd-04"] == "due_soon"  # 5 h left
    assert badges["tkd-05"] is None  # closed: no badge, though due in 6 h
    assert badges["tkd-06"] is None  # 7 h left: not yet due soon


def test_counts_per_state(reviewer: TestClient) -> None:
    page = reviewer.get("/console/queues/takedown")
    for state in TAKEDOWN.states:
        n = sum(1 for c in CASES if c.state == state)
        label = state.replace("_", " ").capitalize()
        assert f"{label} <strong>{n}</strong>" in page.text
    opened = sum(1 for c in CASES if c.state in TAKEDOWN.open_states)
    assert f"{opened} open of {len(CASES)} cases." in page.text


def test_the_queue_shows_the_declared_columns_and_links_to_each_case(
    reviewer: TestClient,
) -> None:
    page = reviewer.get("/console/queues/takedown?state=received&sort=opened").text
    for heading in ("Source", "Reference", "Urgent"):
        assert f'<th scope="col">{heading}</th>' in page
    assert "<td>trusted_flagger</td><td>N-4</td><td>✓</td>" in page
    assert 'href="/console/cases/takedown/tkd-04"' in page


def test_my_work_depends_on_the_readers_roles(app: FastAPI, client: TestClient) -> None:
    auditor = fresh_name("an")
    add_user(app, auditor, ["auditor"])
    sign_in(client, auditor)
    page = client.get("/console/my-work")
    assert page.status_code == 200
    assert "None of your roles has an action in any case kind." in page.text
    assert not _ROW.findall(page.text)
    client.cookies.clear()
    reviewer = fresh_name("lan")
    add_user(app, reviewer, ["legal_reviewer"])
    sign_in(client, reviewer)
    page = client.get("/console/my-work")
    waiting = _reference(roles={"legal_reviewer"})
    assert _ROW.findall(page.text) == waiting[:PAGE]
    assert f'<span class="badge state">{len(waiting)}</span>' in page.text
    assert 'href="/console/queues/takedown?who=mine"' in page.text  # the rest of the work


def test_bad_queue_parameters_are_error_pages(reviewer: TestClient) -> None:
    for query in ("state=no_such_state", "due=someday", "after=garbage~x", "sort=up"):
        page = reviewer.get(f"/console/queues/takedown?{query}")
        assert page.status_code == 422, query
        assert page.headers["content-type"].startswith("text/html")
        assert "input.invalid" in page.text


def _plans(app: FastAPI, client: TestClient, url: str) -> list[tuple[str, str]]:
    """The query plans of the case listings a page ran, on each SQLite region."""
    statements: list[str] = []
    regions = app.state.onshore.vault.runtime.regions
    for region in regions.values():
        region.db.conn.set_trace_callback(statements.append)
    try:
        assert client.get(url).status_code == 200
    finally:
        for region in regions.values():
            region.db.conn.set_trace_callback(None)
    listings = [s for s in statements if s.startswith("SELECT case_id, kind")]
    assert listings
    conn = next(iter(regions.values())).db.conn
    return [
        (sql, " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}")))
        for sql in listings
    ]


@pytest.mark.parametrize("sort", ["due", "-due", "opened", "-opened"])
@pytest.mark.parametrize("page", [2, 5])
def test_a_page_is_an_index_range_read_not_a_scan_and_sort(
    app: FastAPI, reviewer: TestClient, sort: str, page: int
) -> None:
    url = f"/console/queues/takedown?state=all&sort={sort}"
    for _ in range(page - 1):
        later = _NEXT.search(reviewer.get(url).text)
        assert later is not None
        url = later.group(1).replace("&amp;", "&")
    for _sql, plan in _plans(app, reviewer, url):
        assert "USING INDEX cases_queue_" in plan, plan
        assert "TEMP B-TREE" not in plan, plan


def test_queues_exist_for_every_declared_kind(reviewer: TestClient) -> None:
    nav = reviewer.get("/console/my-work").text
    for kind in KINDS.values():
        assert f'href="/console/queues/{kind.name}"' in nav
        assert reviewer.get(f"/console/queues/{kind.name}").status_code == 200
