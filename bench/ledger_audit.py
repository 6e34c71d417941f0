"""Ledger audit benchmark: what ``ledger audit`` and the checkpoints cost on a SQLite region.

A region is filled through the vault with N records (one placement leaf each), then timed:
``audit()`` (every leaf and record id, the store reconciliation), ``verify()`` (the
ledger-only half), a full checkpoint (audit + sign), and an automatic (tail) checkpoint
after a batch of 1,000 more records.

Baseline, measured in the same run: reading every leaf row and every record id once
(``SELECT`` only), the I/O floor any full audit pays. Ratios are printed against it; the
tail checkpoint is printed against the full one (it reads only the tail, so it must not grow
with the region).

Usage: .venv/bin/python bench/ledger_audit.py [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from onshore.services.vault import RecordInput, Vault
from onshore.settings import Settings, default_config_dict

VN = "+84912345678"


def best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def fill(vault: Vault, start: int, n: int) -> None:
    for lo in range(start, start + n, 10_000):
        vault.put_many(
            [
                RecordInput(f"s{i}", "profile", {"i": i}, {"phone_number": VN})
                for i in range(lo, min(start + n, lo + 10_000))
            ]
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="20,000 records instead of 200,000")
    n = 20_000 if parser.parse_args().quick else 200_000
    base = Path(tempfile.mkdtemp())
    cfg = default_config_dict()
    cfg["base_dir"] = str(base)
    cfg["regions"]["vn-hcm"]["store"] = f"sqlite:///{base}/vn-hcm.db"
    cfg["regions"]["sg-1"]["store"] = f"sqlite:///{base}/sg-1.db"
    vault = Vault.open(Settings.model_validate(cfg), create_keys=True)
    vault.runtime.checkpoint_on_close = False
    fill(vault, 0, n)
    log = vault.ledger("vn-hcm")
    db = vault.runtime.region("vn-hcm").db

    def floor() -> None:
        size = log.store.size()
        for lo in range(0, size, 65_536):
            log.store.leaves(lo, min(size, lo + 65_536))
        for _ in db.records.iter_record_ids():
            pass

    t_floor = best(floor)
    t_audit = best(lambda: log.audit())
    t_verify = best(lambda: log.verify())
    t_full = best(lambda: log.checkpoint(vault.runtime.clock.now(), full=True), repeat=1)
    fill(vault, n, 1_000)
    t_tail = best(lambda: log.checkpoint(vault.runtime.clock.now()), repeat=1)
    assert log.audit().ok
    vault.close()
    print(f"region of {n:,} records (SQLite)")
    print(f"{'step':<34}{'seconds':>10}{'x read floor':>14}")
    for name, t in [
        ("read floor (leaves + record ids)", t_floor),
        ("ledger audit (full)", t_audit),
        ("ledger verify (ledger only)", t_verify),
        ("ledger checkpoint (audit + sign)", t_full),
        ("automatic checkpoint (+1,000 tail)", t_tail),
    ]:
        print(f"{name:<34}{t:>10.3f}{t / t_floor:>14.2f}")
    ratio = t_tail / t_full
    print(f"tail checkpoint / full checkpoint: {ratio:.3f} (goal < 0.25)")
    if ratio >= 0.25:
        raise SystemExit("automatic checkpoints cost too much of a full audit")


if __name__ == "__main__":
    main()
