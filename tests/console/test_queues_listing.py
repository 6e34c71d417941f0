"""What the queues added to case listings, on every CaseStore backend (memory, SQLite,
PostgreSQL): the opening-time order, descending orders, ``due_from`` and ``undated``, each
paged by keyset against a reference sort, and the queue indexes a migration creates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from onshore.adapters import open_database
from onshore.core.cases.listing import CaseQuery, sort_key
from onshore.core.errors import InputError
from onshore.ports import Case, CaseStore, RegionDatabase

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(
    scope="module",
    params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CaseStore]:
    """A case store on each backend, holding ``CASES`` (read only: one per module)."""
    if request.param == "memory":
        database: RegionDatabase = open_database("memory://")
    elif request.param == "sqlite":
        database = open_database(f"sqlite:///{tmp_path_factory.mktemp('listing') / 'region.db'}")
    else:
        database = open_database(request.getfixturevalue("pg_cluster").create_database())
    for c in CASES:
        database.cases.create(c)
    yield database.cases
    database.close()


def _case(i: int) -> Case:
    due = None if i % 5 == 0 else T0 + timedelta(hours=(i * 7) % 11)  # shared deadlines
    created = T0 - timedelta(days=(i * 3) % 4)  # shared opening times
    kind = "takedown" if i % 6 else "authority_request"
    return Case(f"c-{i:02d}", kind, "received", "vn-hcm", created, created, due, {})


CASES = [_case(i) for i in range(30)]


def _walk(store: CaseStore, limit: int, **query: Any) -> list[str]:
    seen: list[str] = []
    after = None
    for _ in range(100):
        page = store.page(CaseQuery(kind="takedown", after=after, limit=limit, **query))
        assert len(page.cases) <= limit
        seen.extend(c.case_id for c in page.cases)
        if page.next_cursor is None:
            return seen
        after = page.next_cursor
    raise AssertionError("the listing never ends")


def _expected(order: str, descending: bool, keep: Any = lambda c: True) -> list[str]:
    chosen = [c for c in CASES if c.kind == "takedown" and keep(c)]
    if order == "due_at":
        chosen = [c for c in chosen if c.due_at is not None]
    return [c.case_id for c in sorted(chosen, key=lambda c: sort_key(c, order), reverse=descending)]


@pytest.mark.parametrize("limit", [1, 4, 100])
@pytest.mark.parametrize("order", ["case_id", "due_at", "created_at"])
@pytest.mark.parametrize("descending", [False, True])
def test_orders_both_ways_page_by_page(
    store: CaseStore, order: str, descending: bool, limit: int
) -> None:
    got = _walk(store, limit, order=order, descending=descending)
    assert got == _expected(order, descending)


def test_due_from_and_undated(store: CaseStore) -> None:
    start = T0 + timedelta(hours=3)
    got = _walk(store, 3, order="due_at", due_from=start, due_before=T0 + timedelta(hours=8))
    keep = lambda c: c.due_at is not None and start <= c.due_at < T0 + timedelta(hours=8)  # noqa: E731
    assert got == _expected("due_at", False, keep) and got
    undated = _walk(store, 2, order="case_id", undated=True)
    assert undated == _expected("case_id", False, lambda c: c.due_at is None) and undated


def test_a_cursor_of_another_order_is_refused(store: CaseStore) -> None:
    with pytest.raises(InputError):
        store.page(CaseQuery(kind="takedown", order="created_at", after="c-03"))


def test_the_queue_indexes_exist_after_the_migrations(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'region.db'}")
    try:
        conn: Any = database.conn  # type: ignore[attr-defined]
        names = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")
        }
    finally:
        database.close()
    assert {"cases_queue_by_due", "cases_queue_by_created"} <= names
