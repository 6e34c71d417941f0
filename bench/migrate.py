"""Benchmark: records/s moved by ``onshore migrate run`` (sg-1 -> vn-hcm, SQLite), against
``Vault.put_many`` of the same records and ``Vault.transfer`` one record at a time, in the
same run.

The population is ``tests/migrate/world.py``'s: VN subjects' e-mail records stored in sg-1
before a test pack's rule (effective 2027-01-01) requires them in Viet Nam. A migration
record costs a read and a decryption in the source, a re-seal and write with a leaf in the
destination, a read-back and decryption there, and a delete with a leaf in the source: the
ratio to ``put_many`` (one seal and one write with a leaf) shows that overhead.

    .venv/bin/python bench/migrate.py            # 20,000 records
    .venv/bin/python bench/migrate.py --quick    # 3,000 records
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.migrate.world import AFTER, at, seed  # noqa: E402

from onshore.services.migration_plan import MigrationOptions, plan_migration  # noqa: E402
from onshore.services.migration_run import MigrationRunner, store_plan  # noqa: E402
from onshore.services.runtime import open_runtime  # noqa: E402
from onshore.services.runtime.region_moves import open_migration_store  # noqa: E402
from onshore.services.vault import Vault  # noqa: E402
from onshore.settings import load_settings  # noqa: E402

TRANSFER_SAMPLE = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3,000 records")
    parser.add_argument("--batch", type=int, default=500, help="records per migration batch")
    args = parser.parse_args()
    n = 3_000 if args.quick else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        stores = {"vn-hcm": f"sqlite:///{base}/vn-hcm.db", "sg-1": f"sqlite:///{base}/sg-1.db"}
        t0 = time.perf_counter()
        config, ids = seed(base, stores, f"sqlite:///{base}/control.db", n, 0)
        put_s = time.perf_counter() - t0
        vault = Vault(open_runtime(load_settings(config)))
        store = open_migration_store(vault.runtime.settings)
        try:
            t0 = time.perf_counter()
            plan = plan_migration(vault.region_set, MigrationOptions(at(AFTER)))
            plan_s = time.perf_counter() - t0
            sample = ids["moving"][:TRANSFER_SAMPLE]
            plan.moves = [m for m in plan.moves if m.record_id not in set(sample)]
            stored = store_plan(store, plan, vault.runtime.clock.now())
            t0 = time.perf_counter()
            MigrationRunner(vault.region_set, store, "bench").run(stored, batch=args.batch)
            run_s = time.perf_counter() - t0
            moved = len(plan.moves)
            t0 = time.perf_counter()
            for rid in sample:
                vault.transfer(rid, "vn-hcm", purpose="bench")
            transfer_s = time.perf_counter() - t0
        finally:
            store.close()
            vault.close()
    put_rate = n / put_s
    run_rate = moved / run_s
    transfer_rate = len(sample) / transfer_s
    print(f"records: {n:,} (batch {args.batch}); load average {os.getloadavg()[0]:.1f}")
    print(f"put_many (seeding, incl. open): {put_rate:10,.0f} records/s")
    print(f"migrate plan (decrypt+decide):  {n / plan_s:10,.0f} records/s")
    print(f"migrate run:                    {run_rate:10,.0f} records/s")
    print(f"Vault.transfer one by one:      {transfer_rate:10,.0f} records/s")
    print(f"ratio migrate run / put_many:   {run_rate / put_rate:.2f}x")
    print(f"ratio migrate run / transfer:   {run_rate / transfer_rate:.1f}x")


if __name__ == "__main__":
    main()
