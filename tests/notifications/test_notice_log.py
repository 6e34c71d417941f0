"""The notice log on every backend (memory, SQLite, PostgreSQL): a notice is claimed once,
even by workers racing on separate connections; a dead worker's claim can be taken again
after its lease; finishing and releasing only touch the claiming worker's row."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from onshore.adapters import open_notice_log
from onshore.ports.notices import NoticeKey, NoticeLog

T = datetime(2026, 8, 4, 2, 0, tzinfo=UTC)
KEY = NoticeKey("tkd-1", "2026-08-04T02:00:00Z", "breached", "webhook:ops")
LEASE = timedelta(minutes=10)


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def open_log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], NoticeLog]]:
    """Opens connections to one control store (memory: the same object every time)."""
    if request.param == "memory":
        shared = open_notice_log("memory://")
        yield lambda: shared
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/control.db"
    else:
        url = request.getfixturevalue("pg_url_factory")()
    opened: list[NoticeLog] = []

    def opener() -> NoticeLog:
        opened.append(open_notice_log(url))
        return opened[-1]

    yield opener
    for log in opened:
        log.close()


def test_claimed_once_then_finished(open_log: Callable[[], NoticeLog]) -> None:
    a, b = open_log(), open_log()
    claim = a.claim(KEY, "w1", T, T - LEASE)
    assert claim is not None and not claim.reclaimed
    assert b.claim(KEY, "w2", T, T - LEASE) is None
    b.finish(KEY, "w2", "sent", T, attempts=1)  # not w2's claim: nothing changes
    assert a.get(KEY) is not None and a.get(KEY).status == "claimed"  # type: ignore[union-attr]
    a.finish(KEY, "w1", "failed", T + timedelta(seconds=5), attempts=4, detail="HTTP 503")
    got = b.get(KEY)
    assert got is not None
    assert (got.status, got.worker, got.attempts, got.detail) == ("failed", "w1", 4, "HTTP 503")
    assert got.claimed_at == T and got.finished_at == T + timedelta(seconds=5)
    later = T + 2 * LEASE  # a finished notice is never claimed again, however old
    assert b.claim(KEY, "w2", later, later - LEASE) is None
    assert [n.key for n in b.all(status="failed")] == [KEY] and b.all(status="sent") == []


def test_a_dead_workers_claim_is_taken_after_its_lease(open_log: Callable[[], NoticeLog]) -> None:
    a, b = open_log(), open_log()
    assert a.claim(KEY, "w1", T, T - LEASE) is not None
    soon = T + LEASE / 2
    assert b.claim(KEY, "w2", soon, soon - LEASE) is None  # w1 may still be working
    late = T + LEASE + timedelta(seconds=1)
    claim = b.claim(KEY, "w2", late, late - LEASE)
    assert claim is not None and claim.reclaimed
    a.finish(KEY, "w1", "sent", late, attempts=1)  # w1 woke up late: its finish is ignored
    assert b.get(KEY).worker == "w2"  # type: ignore[union-attr]
    b.finish(KEY, "w2", "sent", late, attempts=1)
    assert a.get(KEY).status == "sent"  # type: ignore[union-attr]


def test_release_lets_the_next_check_claim_again(open_log: Callable[[], NoticeLog]) -> None:
    a, b = open_log(), open_log()
    assert a.claim(KEY, "w1", T, T - LEASE) is not None
    b.release(KEY, "w2")  # not w2's claim
    assert b.claim(KEY, "w2", T, T - LEASE) is None
    a.release(KEY, "w1")
    assert a.get(KEY) is None
    assert b.claim(KEY, "w2", T, T - LEASE) is not None


def test_racing_workers_claim_each_notice_once(open_log: Callable[[], NoticeLog]) -> None:
    keys = [NoticeKey(f"tkd-{i}", "d", "breached", "email") for i in range(30)]
    logs = [open_log() for _ in range(4)]
    won: dict[str, list[NoticeKey]] = {}
    barrier = threading.Barrier(len(logs))

    def race(n: int) -> None:
        barrier.wait()
        won[f"w{n}"] = [k for k in keys if logs[n].claim(k, f"w{n}", T, T - LEASE) is not None]

    threads = [threading.Thread(target=race, args=(n,)) for n in range(len(logs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    claimed = [k for ks in won.values() for k in ks]
    assert sorted(claimed, key=lambda k: k.case_id) == sorted(keys, key=lambda k: k.case_id)
