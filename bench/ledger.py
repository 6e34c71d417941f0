# ruff: noqa: E501  (aligned table output)
"""Ledger benchmark: append throughput with batched integration, and proofs in a 1M-leaf log.

Baseline, measured in the same run: hashlib SHA-256 doing the two hashes a leaf costs at
minimum (its leaf hash over a 177-byte input, one 65-byte interior node hash).

Goals: appends (leaf hashes + store write + batched tile integration) >= 0.25x that bound;
verifying an inclusion proof in a 1M-leaf log < 50 us.

Usage: .venv/bin/python bench/ledger.py [--quick]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from onshore.adapters import open_database
from onshore.adapters.keystore import MemoryKeyStore
from onshore.core.ledger import EventType, LedgerEvent, leaf_hash, verify_inclusion
from onshore.core.ledger import tiles as T
from onshore.ports import RegionDatabase
from onshore.services.ledger import Ledger

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def hash_bound(n: int) -> float:
    """Leaves/s if each leaf cost exactly two SHA-256 calls (leaf + interior node)."""
    entry = bytes(177)
    node = bytes(65)
    sha = hashlib.sha256

    def run() -> None:
        for _ in range(n):
            sha(entry).digest()
            sha(node).digest()

    return n / best(run)


def sqlite_row_bound(path: Path, entries: list[bytes], batch: int) -> float:
    """Rows/s of a bare SQLite executemany of (idx, 176-byte entry, 32-byte hash) rows."""
    import sqlite3

    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE t (idx INTEGER PRIMARY KEY, entry BLOB NOT NULL, h BLOB NOT NULL)")
    h = bytes(32)
    start = time.perf_counter()
    for i in range(0, len(entries), batch):
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT INTO t VALUES (?, ?, ?)",
            [(i + j, e, h) for j, e in enumerate(entries[i : i + batch])],
        )
        conn.execute("COMMIT")
    rate = len(entries) / (time.perf_counter() - start)
    conn.close()
    return rate


def store_append(db: RegionDatabase, entries: list[bytes], batch: int) -> float:
    """Leaves/s: leaf hashes + store.append in batches + one batched integration."""
    log_store = db.ledger
    sha = hashlib.sha256
    start = time.perf_counter()
    for i in range(0, len(entries), batch):
        chunk = entries[i : i + batch]
        hashes = [sha(b"\x00" + e).digest() for e in chunk]
        with db.transaction():
            log_store.append(chunk, hashes)
    with db.transaction():
        done = log_store.integrated_size()
        size = log_store.size()
        hs = log_store.leaf_hashes(done, size)
        edge = log_store.tiles(T.edge_tile_keys(done))
        log_store.save_tiles(T.integrate(done, hs, edge), size)
    return len(entries) / (time.perf_counter() - start)


def events_append(db: RegionDatabase, n: int, batch: int) -> float:
    """Events/s through Ledger.append (validation, 3 HMACs, payload, write) + checkpoint."""
    keys = MemoryKeyStore()
    keys.create("ledger-hmac")
    keys.create("ledger-signing")
    log = Ledger("vn-hcm", db, keys)
    payload = {"kind": "profile", "categories": ["email", "phone_number"], "rules": ["VN-D53-26"]}
    events = [
        LedgerEvent(EventType.RECORD_PLACED, T0, "vn-hcm", f"rec-{i}", f"subj-{i}", None, payload)
        for i in range(n)
    ]
    start = time.perf_counter()
    for i in range(0, n, batch):
        with db.transaction():
            log.append(events[i : i + batch])
    log.checkpoint(T0)
    return n / (time.perf_counter() - start)


def proofs(n_leaves: int, samples: int) -> tuple[float, float, float]:
    """(build s, produce us, verify us) for inclusion proofs in an n-leaf log (memory store)."""
    db = open_database("memory://")
    hashes = [leaf_hash(i.to_bytes(8, "big")) for i in range(n_leaves)]
    start = time.perf_counter()
    with db.transaction():
        db.ledger.save_tiles(T.integrate(0, hashes, {}), n_leaves)
    build = time.perf_counter() - start
    root = T.tree_root(n_leaves, db.ledger.tiles(T.root_tile_keys(n_leaves)))
    rng = random.Random(7)
    indexes = [rng.randrange(n_leaves) for _ in range(samples)]
    made = []
    t = time.perf_counter()
    for i in indexes:
        made.append(
            T.inclusion_from_tiles(i, n_leaves, db.ledger.tiles(T.inclusion_tile_keys(i, n_leaves)))
        )
    produce = (time.perf_counter() - t) / samples * 1e6
    verify_times = []
    for i, proof in zip(indexes, made, strict=True):
        t = time.perf_counter()
        verify_inclusion(hashes[i], i, n_leaves, proof, root)
        verify_times.append(time.perf_counter() - t)
    return build, produce, statistics.median(verify_times) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small, fast run")
    args = parser.parse_args(argv)
    n = 20_000 if args.quick else 200_000
    n_events = 5_000 if args.quick else 50_000
    samples = 200 if args.quick else 2_000
    batch = 1_000

    bound = hash_bound(n)
    print(f"baseline  hashlib SHA-256, 2 hashes/leaf          {bound:>12,.0f} leaves/s")
    entries = [i.to_bytes(8, "big") * 22 for i in range(n)]  # 176-byte leaves
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        raw = sqlite_row_bound(Path(tmp) / "raw.db", entries, batch)
        print(
            f"baseline  bare SQLite executemany, 1 row/leaf      {raw:>12,.0f} rows/s    {raw / bound:5.2f}x bound"
        )
        for name, url in (("memory", "memory://"), ("sqlite", f"sqlite:///{Path(tmp) / 'b.db'}")):
            db = open_database(url)
            results[name] = store_append(db, entries, batch)
            db.close()
            ratio = results[name] / bound
            print(
                f"store     {name:<7} append+integrate (batch {batch})  {results[name]:>12,.0f} leaves/s  {ratio:5.2f}x bound"
            )
        db = open_database(f"sqlite:///{Path(tmp) / 'e.db'}")
        ev = events_append(db, n_events, batch)
        db.close()
    print(
        f"service   sqlite Ledger.append+checkpoint      {ev:>12,.0f} events/s  {ev / bound:5.2f}x bound"
    )
    build, produce, verify = proofs(1 << 20, samples)
    print(f"1M log    integrate 1,048,576 leaf hashes          {build:>12.2f} s")
    print(f"1M log    produce inclusion proof (from tiles)     {produce:>12.1f} us")
    print(f"1M log    verify inclusion proof (median)          {verify:>12.1f} us")
    ok = results["sqlite"] / bound >= 0.25 and verify < 50
    print(
        f"goals     sqlite append >= 0.25x bound: {results['sqlite'] / bound:.2f}x; verify < 50 us: {verify:.1f} us -> {'met' if ok else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
