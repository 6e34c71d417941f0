"""More than one writer process on the same PostgreSQL regions (issue 17 item 4).

Three real processes write overlapping cross-region and single-region batches into the same
two PostgreSQL regions at once, each signing checkpoints as it goes. Afterwards every
record is stored once, in the region its phone number places it, with exactly one placement
leaf; each region's ledger is one dense log whose tree verifies; ``onshore ledger audit``
is clean.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from onshore.core.ledger import EventType
from onshore.core.ledger.leaf import decode_leaf
from onshore.services.vault import Vault
from onshore.settings import load_settings
from tests.migrations.conftest import run, write_toml
from tests.vault.concurrent_writer import SIZE

pytestmark = pytest.mark.postgres

WRITERS = 3
BATCHES = 6
ROOT = Path(__file__).resolve().parents[2]


def _writers(base: Path) -> list[subprocess.Popen[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONSHORE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src")])
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.vault.concurrent_writer",
                str(base),
                str(w),
                str(BATCHES),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WRITERS)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    for p in procs:  # release them together
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    return procs


def test_concurrent_writer_processes_keep_one_consistent_ledger_per_region(
    tmp_path: Path, pg_url_factory: Callable[[], str]
) -> None:
    config = {
        "deployment": {"default_region": "sg-1", "control_store": "sqlite:///data/control.db"},
        "regions": {
            "vn-hcm": {"country": "VN", "store": pg_url_factory()},
            "sg-1": {"country": "SG", "store": pg_url_factory()},
        },
    }
    write_toml(tmp_path / "onshore.toml", config)
    settings = load_settings(tmp_path / "onshore.toml", env={})
    Vault.open(settings, create_keys=True).close()  # keys and schema, once

    procs = _writers(tmp_path)
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0 and out.strip().endswith("done"), err

    expected = {f"w{w}-b{n:03d}-{i:03d}" for w in range(WRITERS) for n in range(BATCHES)
                for i in range(SIZE)}  # fmt: skip
    with Vault.open(settings) as vault:
        seen: list[str] = []
        for name in ("vn-hcm", "sg-1"):
            db = vault.runtime.region(name).db
            ids = list(db.records.iter_record_ids())
            seen += ids
            log = vault.ledger(name)
            size = log.store.size()
            kinds = Counter(decode_leaf(e).type for _, e, _ in log.store.leaves(0, size))
            assert kinds[EventType.RECORD_PLACED] == len(ids), kinds  # one per record
            assert [i for i, _, _ in log.store.leaves(0, size)] == list(range(size))  # dense
            report = log.verify()
            assert report.ok, report.problems
            for rid in ids[:: max(1, len(ids) // 25)]:
                leaves = [e for e in log.history(rid) if e.leaf.type == EventType.RECORD_PLACED]
                assert len(leaves) == 1
                assert vault.get(rid).region == name
        assert sorted(seen) == sorted(expected)  # every record once, none twice
    audit = run(tmp_path, "ledger", "audit")
    assert audit.returncode == 0, audit.stdout + audit.stderr
