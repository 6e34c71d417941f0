"""Kill trials: run the workload child, kill it, reopen, recover, check, retry.

``run_trial`` starts ``tests.reliability.workload`` with the given environment, kills it (or
lets a failpoint do it), then ``check`` reopens the vault (recovery runs at open) and counts:

- ``lost``: records of acknowledged batches that are not readable;
- ``partial``: batches present in some of their regions (or records) but not all;
- ``duplicated``: ledger leaves beyond one per stored record (the workload only places);
- ``false_alarms``: regions whose ``Ledger.verify()`` or ``Ledger.audit()`` reports a
  problem;
- ``retry_failed``: the in-flight batch, retried with the same ids, did not end with one
  placement leaf per record, or an acknowledged batch put again changed anything.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from onshore.core.ledger import EventType
from onshore.services.vault import Vault
from tests.reliability.workload import SIZE, batch, batch_regions, settings_for

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Tally:
    """Figures over many trials."""

    trials: int = 0
    killed: int = 0
    acked_batches: int = 0
    lost: int = 0
    partial: int = 0
    duplicated: int = 0
    false_alarms: int = 0
    retry_failed: int = 0
    problems: list[str] = field(default_factory=list)

    def clean(self) -> bool:
        """True when no trial lost, duplicated or half-wrote anything, or raised an alarm."""
        return not (
            self.lost or self.partial or self.duplicated or self.false_alarms or self.retry_failed
        )

    def figures(self) -> dict[str, int]:
        """The counts, for ``tests.support.soak.report``."""
        return {
            "trials": self.trials,
            "killed": self.killed,
            "acked_batches": self.acked_batches,
            "lost": self.lost,
            "partial": self.partial,
            "duplicated_leaves": self.duplicated,
            "false_alarms": self.false_alarms,
            "retry_failed": self.retry_failed,
        }


def write_config(base: Path, stores: dict[str, str]) -> Path:
    """The trial configuration file the child reads."""
    path = base / "trial.json"
    path.write_text(json.dumps({"base": str(base), "stores": stores}))
    return path


def run_trial(
    config: Path,
    trial: str,
    tally: Tally,
    *,
    env: dict[str, str] | None = None,
    batches: int = 4,
    kill_within: float | None = None,
    rng: random.Random | None = None,
) -> None:
    """One trial: run the child until it dies (or is killed after a random delay, when
    ``kill_within`` is given), then check and retry."""
    child_env = {k: v for k, v in os.environ.items() if k not in ("ONSHORE_FAILPOINTS",)}
    child_env.update(env or {})
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.workload",
            str(config),
            trial,
            "--batches",
            str(batches),
        ],
        cwd=ROOT,
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines = []
    if kill_within is not None:
        first = proc.stdout.readline()
        lines.append(first)
        time.sleep((rng or random.Random()).uniform(0, kill_within))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=120)
    lines.extend(out.splitlines())
    if proc.returncode == -signal.SIGKILL:
        tally.killed += 1
    else:
        assert proc.returncode == 0, f"child failed ({proc.returncode}): {err[-2000:]}"
    acked = [int(line.split()[1]) for line in lines if line.startswith("ack ")]
    assert acked == list(range(len(acked))), acked
    tally.trials += 1
    tally.acked_batches += len(acked)
    check(json.loads(config.read_text()), trial, len(acked), tally)


def _visible(vault: Vault, trial: str) -> Counter[int]:
    """Visible records of ``trial`` per batch number, over every region."""
    per_batch: Counter[int] = Counter()
    prefix = f"{trial}-b"
    for region in vault.runtime.regions.values():
        after = prefix
        while page := region.db.records.page(after, 500):
            mine = [s for s in page if s.record_id.startswith(prefix)]
            per_batch.update(int(s.record_id[len(prefix) :].split("-")[0]) for s in mine)
            if len(mine) < len(page):
                break
            after = page[-1].record_id
    return per_batch


def _placements(vault: Vault, record_id: str, region: str) -> int:
    history = vault.ledger(region).history(record_id)
    return sum(1 for e in history if e.leaf.type == EventType.RECORD_PLACED)


def check(config: dict[str, Any], trial: str, acked: int, tally: Tally) -> None:
    """Reopen (recovering), count losses and half-written batches, retry, verify."""
    with Vault.open(settings_for(config)) as vault:
        per_batch = _visible(vault, trial)
        for n in range(acked):
            tally.lost += SIZE - per_batch.get(n, 0)
        bad = [n for n, count in per_batch.items() if count != SIZE]
        tally.partial += len(bad)
        if bad:
            tally.problems.append(f"{trial}: partial batches {bad}: {dict(per_batch)}")
        # the caller of the batch in flight got no receipt: it retries with the same ids
        inflight = batch(trial, acked)
        receipts = vault.put_many(inflight)
        for item, receipt in zip(inflight, receipts, strict=True):
            assert item.record_id is not None
            if _placements(vault, item.record_id, receipt.region) != 1:
                tally.retry_failed += 1
                tally.problems.append(f"{trial}: {item.record_id} has not one placement leaf")
        regions = {r.region for r in receipts}
        if regions != set(batch_regions(acked)):
            tally.retry_failed += 1
            tally.problems.append(f"{trial}: the retried batch went to {sorted(regions)}")
        # and a retry of an acknowledged batch changes nothing
        if acked:
            sizes = [r.db.ledger.size() for r in vault.runtime.regions.values()]
            again = vault.put_many(batch(trial, acked - 1))
            if [r.db.ledger.size() for r in vault.runtime.regions.values()] != sizes:
                tally.retry_failed += 1
                tally.problems.append(f"{trial}: an acknowledged batch put again added leaves")
            if vault.put_many(batch(trial, acked - 1)) != again:
                tally.retry_failed += 1
                tally.problems.append(f"{trial}: an acknowledged batch got other receipts")
        for name, region in vault.runtime.regions.items():
            extra = region.db.ledger.size() - region.db.records.count()
            if extra:
                tally.duplicated += extra
                tally.problems.append(f"{trial}: {name} has {extra} leaves beyond its records")
            report = vault.ledger(name).verify()
            if not report.ok:
                tally.false_alarms += 1
                tally.problems.append(f"{trial}: {name} verify: {report.problems[:3]}")
            audit = vault.ledger(name).audit()  # the store reconciled with its ledger
            if not audit.ok:
                tally.false_alarms += 1
                tally.problems.append(f"{trial}: {name} audit: {audit.findings[:3]}")
        vault.recover(stale_after=timedelta(0))
        for region in vault.runtime.regions.values():
            commits = [d for d in region.db.batches.decisions() if d.outcome == "commit"]
            if region.db.batches.shares() or commits:
                tally.problems.append(f"{trial}: {region.name} kept batch state after recovery")
                tally.retry_failed += 1
