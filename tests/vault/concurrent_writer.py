"""A writer process for the concurrent-writers test: many ``put_many`` batches, checkpoints.

``python -m tests.vault.concurrent_writer DIR WRITER BATCHES`` opens the vault of
``DIR/onshore.toml`` (keys and schema made by the parent), prints ``ready``, waits for a line
on stdin (so every writer starts at once), then writes ``BATCHES`` batches of ``SIZE``
records with ids ``w{WRITER}-b{n:03d}-{i:03d}``: even batches span both regions, odd ones
stay in the writer's own region. After every third batch it signs a checkpoint of each
region (tree integration and signing race with the other writers' appends). Prints ``done``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from onshore.services.vault import RecordInput, Vault
from onshore.settings import load_settings

SIZE = 40
PHONES = {"vn-hcm": "+849123{:05d}", "sg-1": "+6581{:06d}"}


def batch(writer: int, n: int) -> list[RecordInput]:
    """Batch ``n`` of ``writer`` (records of distinct subjects, ids unique across writers)."""
    own = ("vn-hcm", "sg-1")[writer % 2]
    out = []
    for i in range(SIZE):
        region = ("vn-hcm", "sg-1")[i % 2] if n % 2 == 0 else own
        phone = PHONES[region].format(writer * 10_000 + n * 100 + i)
        rid = f"w{writer}-b{n:03d}-{i:03d}"
        data = {"phone": phone, "email": f"{rid}@example.vn", "note": "x" * 40}
        out.append(RecordInput(f"s-{rid}", "profile", data, {"phone_number": phone}, None, rid))
    return out


def main(argv: list[str]) -> None:
    """Run one writer (see the module docstring)."""
    base, writer, batches = Path(argv[0]), int(argv[1]), int(argv[2])
    with Vault.open(load_settings(base / "onshore.toml", env={})) as vault:
        print("ready", flush=True)
        sys.stdin.readline()
        for n in range(batches):
            vault.put_many(batch(writer, n))
            if n % 3 == 2:
                for region in ("vn-hcm", "sg-1"):
                    vault.ledger(region).checkpoint(vault.runtime.clock.now())
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
