"""A process killed in the middle of Vault.put_many leaves each batch whole or absent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from onshore.services.vault import Vault
from tests.vault.conftest import make_settings

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from tests.vault.conftest import make_settings
    from onshore.services.vault import RecordInput, Vault

    vault = Vault.open(make_settings(Path({base!r})), create_keys=True)
    batch_no = 0
    while True:
        batch = [
            RecordInput(f"s{{batch_no}}-{{i}}", "profile",
                        {{"phone": "+8491{{:07d}}".format(i), "note": "x" * 200}},
                        {{"phone_number": "+84912345678" if i % 2 else "+6581234567"}},
                        record_id=f"b{{batch_no:05d}}-{{i:04d}}")
            for i in range(400)
        ]
        vault.put_many(batch)
        print(batch_no, flush=True)
        batch_no += 1
    """
)


@pytest.mark.slow
def test_killed_put_many_is_all_or_nothing_per_batch(tmp_path: Path) -> None:
    root = str(Path(__file__).resolve().parents[2])
    Vault.open(make_settings(tmp_path), create_keys=True).close()
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=root, base=str(tmp_path)))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for _ in range(3):  # let a few batches commit, then kill mid-flight
        assert proc.stdout.readline(), "child died before committing"
    time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    with Vault.open(make_settings(tmp_path)) as vault:
        per_batch: Counter[str] = Counter()
        leaves = 0
        for region in vault.runtime.regions.values():
            after = None
            while page := region.db.records.page(after, 1000):
                per_batch.update(s.record_id.split("-")[0] for s in page)
                after = page[-1].record_id
            leaves += region.db.ledger.size()
        assert len(per_batch) >= 3
        assert set(per_batch.values()) == {400}, per_batch  # whole batches only
        assert leaves == sum(per_batch.values())  # one placement leaf per stored record
