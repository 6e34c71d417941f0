"""A process killed in the middle of ``put_many`` leaves each batch whole or absent.

A child process writes batches (records plus one ledger leaf per batch, in one
transaction) and reports each batch once its transaction is open and again once it has
committed. The parent SIGKILLs it at
a random moment while a batch is being written, then reopens the store and counts.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from onshore.adapters import open_database

BATCH = 4000

CHILD = r"""
import secrets, sys
from datetime import datetime, timezone
from onshore.adapters import open_database
from onshore.ports import SealedRecord

db = open_database(sys.argv[1])
batch = int(sys.argv[2])
now = datetime.now(timezone.utc)
n = 0
while True:
    records = [
        SealedRecord(f"b{n:04d}-{i:05d}", "vn-hcm", secrets.token_bytes(32), "profile", now,
                     ("email",), "kek:1", secrets.token_bytes(60), secrets.token_bytes(12),
                     secrets.token_bytes(200), (secrets.token_bytes(32), secrets.token_bytes(32)))
        for i in range(batch)
    ]
    with db.transaction():
        print(f"begin {n}", flush=True)
        db.records.put_many(records)
        db.ledger.append([f"batch {n}".encode()], [b"h" * 32])
    print(f"done {n}", flush=True)
    n += 1
"""


def kill_mid_batch(url: str, seed: int) -> tuple[set[int], int]:
    """Run the child until it is writing its third batch, then SIGKILL it.

    The first two batches time a whole write; the kill lands at a random point within
    the third. Returns the batches reported done and the batch begun when killed.
    """
    rng = random.Random(seed)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, url, str(BATCH)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    done: set[int] = set()
    begun = -1
    started: dict[int, float] = {}
    took: list[float] = []
    assert child.stdout is not None
    try:
        for line in child.stdout:
            word, number = line.split()
            if word == "done":
                done.add(int(number))
                took.append(time.monotonic() - started[int(number)])
            else:
                begun = int(number)
                started[begun] = time.monotonic()
                if begun == 2:
                    time.sleep(rng.uniform(0.0, 0.9) * min(took))
                    break
        else:
            pytest.fail(f"child ended early: {child.stderr.read() if child.stderr else ''}")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if child.stdout:
            child.stdout.close()
        if child.stderr:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    return done, begun


def assert_whole_or_absent(url: str, done: set[int], begun: int) -> None:
    db = open_database(url)
    try:
        per_batch: Counter[str] = Counter()
        after: str | None = None
        while page := db.records.page(after, 5000):
            per_batch.update(r.record_id.split("-")[0] for r in page)
            after = page[-1].record_id
        for name, count in per_batch.items():
            assert count == BATCH, f"batch {name} is partial: {count} of {BATCH} records"
        present = {int(name[1:]) for name in per_batch}
        assert done <= present, "a batch reported done is missing"
        assert present <= set(range(begun + 1)), "a batch that never began is present"
        assert db.ledger.size() == len(present), "ledger leaves and batches disagree"
        with db.transaction():
            db.records.put_many(db.records.page(None, 10))  # the store is writable again
    finally:
        db.close()


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sqlite_killed_mid_put_many(tmp_path: Path, seed: int) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    done, begun = kill_mid_batch(url, seed)
    assert_whole_or_absent(url, done, begun)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_postgres_killed_mid_put_many(pg_url: str, seed: int) -> None:
    done, begun = kill_mid_batch(pg_url, seed)
    assert_whole_or_absent(pg_url, done, begun)
