"""What every migration test checks at the end: each record in exactly one region, readable
there, in the region its group belongs to; every ledger audits clean."""

from __future__ import annotations

import json
from pathlib import Path

from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from onshore.settings import load_settings
from tests.support.cli import onshore


def holders(vault: Vault, record_id: str) -> list[str]:
    """The regions whose store holds ``record_id``."""
    return [
        name for name, r in vault.runtime.regions.items() if r.db.records.get(record_id) is not None
    ]


def check_settled(
    config: Path, ids: dict[str, list[str]], moved: tuple[str, ...] = ("moving",)
) -> None:
    """Every record in one region, readable; the ``moved`` groups' records in vn-hcm, the
    others in sg-1; every region's ledger audit clean."""
    vault = Vault(open_runtime(load_settings(config)))
    try:
        for group, rids in ids.items():
            want = "vn-hcm" if group in moved else "sg-1"
            for rid in rids:
                assert holders(vault, rid) == [want], (group, rid)
                assert vault.get(rid).region == want
    finally:
        vault.close()
    audit_clean(config)


def check_never_lost(config: Path, ids: dict[str, list[str]]) -> int:
    """Every record in at least one region; how many are in two (a batch cut short)."""
    vault = Vault(open_runtime(load_settings(config)))
    try:
        doubled = 0
        for rids in ids.values():
            for rid in rids:
                where = holders(vault, rid)
                assert where, rid
                doubled += len(where) > 1
        return doubled
    finally:
        vault.close()


def audit_clean(config: Path) -> None:
    """``onshore ledger audit`` exits 0 and reports no finding in any region."""
    done = onshore("ledger", "audit", "--config", str(config), "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    reports = json.loads(done.stdout)
    assert len(reports) == 2 and all(r["ok"] for r in reports), reports
