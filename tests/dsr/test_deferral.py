"""Retention outranks erasure: a subject under a storage request (a preservation hold) is
not erased; the answer names the date and the rules, and the erasure happens when due."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.core.errors import GuardFailed
from onshore.core.identity import host_administrator
from onshore.services.authority_requests import AuthorityRequestService
from onshore.services.dsr import DsrService
from onshore.services.retention_purge import Purge
from onshore.services.runtime.retention import open_deferred_erasures
from onshore.services.vault import Vault
from tests.authority_requests.conftest import REGISTRY_YAML

from .conftest import AN, BINH, T0, request, seed


def preserve(vault: Vault, subject: str) -> str:
    """An authority's preservation request for ``subject`` (a storage request under Decree
    53): received, verified and preserved, which places legal holds. Its case id."""
    Path(vault.runtime.settings.base_dir, "authorities.yaml").write_text(REGISTRY_YAML)
    requests = AuthorityRequestService(vault, registry=CollectorRegistry())
    case = requests.receive(
        authority="VN-A05", process_type="preservation", reference="BQ-1",
        legal_basis="Decree 53 art. 27", scope={"subjects": [subject], "categories": ["email"]},
        principal=AN,
    )  # fmt: skip
    for action, note in (("authenticate", {}), ("verify", {"channel": "a05-portal"}),
                         ("submit", {}), ("preserve", {})):  # fmt: skip
        who = BINH if action == "preserve" else AN
        case = requests.act(case.case_id, action, principal=who, note=note)
    assert case.state == "preserved" and case.data["holds"]["count"] >= 2
    return case.case_id


def test_erasure_under_a_storage_request_is_deferred_with_date_and_rules(
    vault: Vault, svc: DsrService, clock: FixedClock
) -> None:
    ids = seed(vault)
    held_by = preserve(vault, "u-lan")
    case = svc.intake(request("erasure"), principal=AN).case
    svc.act(case.case_id, "verify_identity", principal=AN, note={"method": "otp_email"})
    deferred = svc.act(case.case_id, "erase", principal=BINH)  # retention answers: not yet
    assert deferred.state == "erasure_deferred"
    answer = deferred.data["answer"]
    until = T0.replace(year=T0.year + 2)  # VN-D53-27.data: 24 months after the request
    assert "VN-D53-27.data" in answer["rule_ids"]
    assert f"legal-hold:{held_by}" in answer["rule_ids"]
    assert datetime.fromisoformat(answer["until"]) == deferred.due_at == until
    assert "2028-03-06" in answer["text"] and "VN-D53-27.data" in answer["text"]
    history = [e.action for e in svc.cases.history(case.case_id)]
    assert history[-1] == "defer_erasure"
    for rid in ids["u-lan"]:  # nothing was erased
        region = vault.runtime.regions[rid.split("~")[0]]
        assert region.db.records.get(rid) is not None
    with pytest.raises(GuardFailed, match="defers the erasure"):
        svc.act(case.case_id, "erase", principal=BINH)
    [erasure_id] = deferred.data["erasure"]["deferred_erasures"]
    log = open_deferred_erasures(vault.runtime.settings)
    try:
        logged = log.get(erasure_id)
        assert logged is not None and logged.case_id == case.case_id and logged.until == until
        clock.at = until + timedelta(minutes=1)
        Purge(vault.region_set, log).run(clock.at, host_administrator("scheduler"))  # the job
    finally:
        log.close()
    assert vault.records_of("u-lan") == []  # the purge job erased her on the date
    done = svc.act(case.case_id, "erase", principal=BINH)  # the case is answered after it
    assert done.state == "answered" and done.data["erasure"]["erased"] == {}
