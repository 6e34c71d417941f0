"""Transfers on PostgreSQL regions: the register read from the ledgers, one case for the
route, the filing leaf."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.services.runtime import open_runtime
from onshore.services.transfer_assessments import TransferAssessments
from onshore.services.transfer_register import register
from onshore.services.vault import Vault

from .conftest import REVIEWER, T0, transfer_settings, vn_record

pytestmark = pytest.mark.postgres


def test_transfers_on_postgres(tmp_path: Path, pg_url_factory: Callable[[], str]) -> None:
    urls = {name: pg_url_factory() for name in ("vn-hcm", "sg-1", "eu-fra")}
    settings = transfer_settings(tmp_path, urls)
    with Vault(open_runtime(settings, create_keys=True, clock=FixedClock(T0))) as v:
        for s in ("vn-1", "vn-2", "vn-1"):
            v.transfer(vn_record(v, s), "sg-1", purpose="analytics")
        [row] = register(v.runtime, country="SG")
        assert (row.records, row.subjects, row.from_region) == (3, 2, "vn-hcm")
        svc = TransferAssessments(v.runtime, registry=CollectorRegistry())
        [case] = list(svc.cases.iter_cases(kind="transfer_assessment"))
        svc.act(case.case_id, "draft", principal=REVIEWER)
        filed = svc.act(case.case_id, "file", principal=REVIEWER)
        leaves = svc.cases.ledger(filed.region).history(filed.case_id)
        assert leaves[-1].index == filed.data["filed"]["ledger_index"]
