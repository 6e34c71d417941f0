"""The kill-trial workload: deterministic batches, and the child process that writes them.

Batch ``n`` of trial ``t`` holds ``SIZE`` records with ids ``t{t}-b{n:04d}-{i:03d}``. Even
batches span both regions (half Vietnamese subjects, half Singaporean), odd batches stay in
one region (alternately vn-hcm and sg-1). The child (``python -m tests.reliability.workload
CONFIG TRIAL [--batches N]``) opens the vault, prints ``ready``, then writes batches one by one
and prints ``ack N`` after each ``put_many`` returned: an acknowledged batch. The parent kills
it (a failpoint in ``ONSHORE_FAILPOINTS``, SIGKILL at a random time, or ``KILL_AFTER_COMMIT=N``:
SIGKILL right after the N-th database commit, whatever code path made it).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from onshore.services.vault import RecordInput, Vault
from onshore.settings import Settings, default_config_dict

SIZE = 12
REGIONS = ("sg-1", "vn-hcm")


def settings_for(config: dict[str, Any]) -> Settings:
    """Vault settings of a trial: ``{"base": dir, "stores": {region: url}}``."""
    cfg = default_config_dict()
    for name, url in config["stores"].items():
        cfg["regions"][name]["store"] = url
    cfg["base_dir"] = config["base"]
    return Settings.model_validate(cfg)


def batch_regions(n: int) -> tuple[str, ...]:
    """The regions batch ``n`` writes to."""
    if n % 2 == 0:
        return REGIONS
    return ("vn-hcm",) if n % 4 == 1 else ("sg-1",)


def batch(trial: str, n: int) -> list[RecordInput]:
    """Batch ``n`` of ``trial`` (the same every time it is asked for: retries repeat it)."""
    regions = batch_regions(n)
    out = []
    for i in range(SIZE):
        vn = regions[i % len(regions)] == "vn-hcm"
        phone = f"+8491{n % 1000:03d}{i:04d}" if vn else f"+659{n % 1000:03d}{i:04d}"
        out.append(
            RecordInput(
                f"{trial}-s{n}-{i}",
                "profile",
                {"phone": phone, "note": f"batch {n} record {i}", "pad": "x" * 64},
                {"phone_number": phone},
                record_id=f"{trial}-b{n:04d}-{i:03d}",
            )
        )
    return out


def kill_after_commits(vault: Vault, count: int) -> None:
    """SIGKILL this process right after the ``count``-th outermost commit of any region."""
    commits = [0]
    for region in vault.runtime.regions.values():
        db = region.db
        inner = db.transaction
        depth = [0]

        @contextmanager
        def counted(inner: Any = inner, depth: list[int] = depth) -> Iterator[None]:
            depth[0] += 1
            try:
                with inner():
                    yield
            finally:
                depth[0] -= 1
            if depth[0] == 0:
                commits[0] += 1
                if commits[0] == count:
                    os.kill(os.getpid(), signal.SIGKILL)

        db.transaction = counted  # type: ignore[method-assign]


def main() -> None:
    """The child: write batches and acknowledge each (see the module docstring)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("trial")
    parser.add_argument("--batches", type=int, default=1_000)
    args = parser.parse_args()
    config = json.loads(Path(args.config).read_text())
    vault = Vault.open(settings_for(config))
    kill_after = int(os.environ.get("KILL_AFTER_COMMIT", "0"))
    if kill_after:
        kill_after_commits(vault, kill_after)
    print("ready", flush=True)
    for n in range(args.batches):
        vault.put_many(batch(args.trial, n))
        print(f"ack {n}", flush=True)
    vault.close()


if __name__ == "__main__":
    main()
