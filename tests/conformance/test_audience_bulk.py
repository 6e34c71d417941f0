"""Bulk writes of ``AudienceStore.apply`` on every backend: batches larger than one
statement, columns that are the same on every row and columns that are not, and a quote in
a value, all read back exactly."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from onshore.adapters.sql.audience import BATCH_COLUMNS
from onshore.ports import RegionDatabase

AT = "2026-01-02T00:00:00+00:00"


def _rows(n: int, *, mixed: bool, sparse: bool = False) -> list[tuple[Any, ...]]:
    """``n`` batch rows in key order; ``mixed``: two countries, two days and both subject
    types, else one of each. Some counts and flags are missing; ``sparse``: no monthly
    visits at all and the same flags on every row."""
    rows = []
    for i in range(n):
        country = ("SG" if i % 3 == 0 else "VN") if mixed else "VN"
        day = ("2026-01-01" if i % 2 else "2026-01-02") if mixed else "2026-01-02"
        kind = ("service" if i % 5 == 0 else "account") if mixed else "account"
        subs = None if i % 7 == 0 else i * 11
        visits = None if i % 4 == 0 else i * 13
        flag = None if i % 6 == 0 else i % 2
        mon = 1 - i % 2
        if sparse:
            visits, flag, mon = None, 0, 1
        rows.append((f"o'acct-{i:04d}", country, day, kind, subs, visits, flag, mon, i + 2))
    return sorted(rows)


def _table(rows: list[tuple[Any, ...]]) -> pa.Table:
    return pa.table({c: [r[i] for r in rows] for i, c in enumerate(BATCH_COLUMNS)})


@pytest.mark.parametrize(
    "n,mixed,sparse",
    [(1, False, False), (64, False, False), (150, False, True), (151, True, False)],
)
def test_every_row_is_written_as_given(
    db: RegionDatabase, n: int, mixed: bool, sparse: bool
) -> None:
    store = db.audience
    rows = _rows(n, mixed=mixed, sparse=sparse)
    days: dict[tuple[str, str], int] = {}
    for r in rows:
        days[(r[1], r[2])] = days.get((r[1], r[2]), 0) + 1
    with db.transaction():
        counts = store.apply("b1", {"format": "csv"}, _table(rows), days, AT)
    assert counts == {"inserted": n, "updated": 0, "unchanged": 0}
    assert store.count() == n
    for subject, country, day, _kind, subs, visits, live, mon, line in rows[:: max(1, n // 40)]:
        (o,) = [o for o in store.series(subject, country) if o.day == day]
        assert (o.subscribers, o.monthly_visits, o.livestreaming, o.monetised, o.line) == (
            subs,
            visits,
            live,
            mon,
            line,
        )
        assert o.batch_id == "b1"
