"""VN-D147-10k concerns users of FOREIGN social networks: a domestic platform's accounts do
not open the obligation, a foreign platform's do."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from prometheus_client import CollectorRegistry

from onshore.services.audience import AudienceService
from onshore.services.runtime import Runtime

from .conftest import write_csv

ROW = ["acct-1,account,VN,2026-11-20,12000,,,"]


def _rules(runtime: Runtime, country: str, tmp_path: Path) -> list[str]:
    runtime.entity = replace(runtime.entity, incorporated_in=country)
    svc = AudienceService(runtime, registry=CollectorRegistry())
    svc.ingest_file(write_csv(tmp_path / f"{country}.csv", ROW))
    return [c.data["rule"]["rule_id"] for c in svc.obligations()]


def test_domestic_platform_accounts_owe_nothing_under_10k_rule(
    runtime: Runtime, tmp_path: Path
) -> None:
    assert "VN-D147-10k" not in _rules(runtime, "VN", tmp_path)


def test_foreign_platform_accounts_are_advised_to_notify(runtime: Runtime, tmp_path: Path) -> None:
    assert _rules(runtime, "SG", tmp_path) == ["VN-D147-10k"]
