"""End-to-end lifecycles of authority requests, one per process type."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path

import pytest

from onshore.adapters.clock import FixedClock
from onshore.core.cases.package import verify_package
from onshore.services.authority_requests import AuthorityRequestService
from onshore.services.production import read_package
from onshore.services.vault import Vault
from tests.cases.conftest import who

from .conftest import T0, seed

#: A fresh reference per request (the same reference from one authority is one case).
_REFS = itertools.count(1)
SCOPE = {"phone_number": ["0912 345 678"], "categories": ["phone_number", "email", "user_content"]}


def receive(svc: AuthorityRequestService, process_type: str = "warrant", **kw: object) -> str:
    args: dict[str, object] = {
        "authority": "VN-A05", "process_type": process_type,
        "reference": f"CV-2026-{next(_REFS):03d}",
        "legal_basis": "Criminal Procedure Code art. 196", "scope": SCOPE,
        "principal": who("olga", "operator"),
    }  # fmt: skip
    args.update(kw)
    return svc.receive(**args).case_id  # type: ignore[arg-type]


def to_review(svc: AuthorityRequestService, cid: str) -> None:
    svc.act(cid, "authenticate", principal=who("olga", "operator"))
    svc.act(cid, "verify", principal=who("olga", "operator"), note={"channel": "a05-portal"})
    svc.act(cid, "submit", principal=who("olga", "operator"))


def produce(svc: AuthorityRequestService, cid: str) -> None:
    svc.act(cid, "check_residency", principal=who("olga", "operator"))
    svc.act(cid, "collect", principal=who("olga", "operator"))
    svc.act(cid, "submit_qa", principal=who("olga", "operator"))
    svc.act(cid, "package", principal=who("olga", "operator"))
    svc.act(cid, "request_release", principal=who("olga", "operator"))
    svc.act(cid, "release", principal=who("ada", "approver"))


@pytest.mark.parametrize(
    "process_type", ["production_order", "court_order", "warrant", "mutual_legal_assistance"]
)
def test_full_lifecycle_to_closed(
    svc: AuthorityRequestService, vault: Vault, process_type: str
) -> None:
    ids = seed(vault)
    cid = receive(svc, process_type)
    to_review(svc, cid)
    svc.act(cid, "approve", principal=who("rita", "legal_reviewer"))
    produce(svc, cid)
    case = svc.cases.get(cid)
    assert case.state == "produced"
    assert case.data["collected"] == {"vn-hcm": sorted(ids["u-lan"])}
    report = verify_package(read_package(Path(case.data["package"]["dir"])))
    assert report.ok, report.failures
    assert report.records == 2
    svc.act(cid, "notify_user", principal=who("olga", "operator"))
    closed = svc.act(cid, "close", principal=who("olga", "operator"))
    assert closed.state == "closed" and closed.due_at is None
    actions = [e.action for e in svc.cases.history(cid)]
    assert actions[0] == "open" and actions[-1] == "close"
    leaves = svc.cases.ledger("vn-hcm").history(cid)
    assert len(leaves) == len(actions)


def test_preservation_holds_and_extension(
    svc: AuthorityRequestService, vault: Vault, clock: FixedClock
) -> None:
    ids = seed(vault)
    cid = receive(svc, "preservation")
    to_review(svc, cid)
    from onshore.core.errors import GuardFailed

    with pytest.raises(GuardFailed):  # a preservation request is not produced
        svc.act(cid, "approve", principal=who("rita", "legal_reviewer"))
    case = svc.act(cid, "preserve", principal=who("rita", "legal_reviewer"))
    assert case.state == "preserved" and case.data["holds"]["count"] == 1
    outcome = vault.erase("u-lan")
    assert outcome.erased == {} and sorted(outcome.retained["vn-hcm"]) == sorted(ids["u-lan"])
    assert vault.erase("u-minh").count == 2  # not held
    # the hold lasts VN-D53-27.data's minimum after a storage request (24 months), not 90 days
    assert case.data["holds"]["rule"] == "VN-D53-27.data"
    assert case.due_at == T0.replace(year=T0.year + 2)
    case = svc.act(cid, "extend_hold", principal=who("rita", "legal_reviewer"))
    assert case.data["holds"]["extended"] and case.due_at == T0.replace(year=T0.year + 4)
    with pytest.raises(GuardFailed, match="already extended"):
        svc.act(cid, "extend_hold", principal=who("rita", "legal_reviewer"))
    clock.at = T0.replace(year=T0.year + 4) + timedelta(days=1)  # the hold expired
    assert vault.erase("u-lan").count == 2
    assert svc.act(cid, "close", principal=who("olga", "operator")).state == "closed"


def test_preservation_released_on_close(svc: AuthorityRequestService, vault: Vault) -> None:
    seed(vault)
    cid = receive(svc, "preservation")
    to_review(svc, cid)
    svc.act(cid, "preserve", principal=who("rita", "legal_reviewer"))
    assert vault.erase("u-lan").retained
    svc.act(cid, "close", principal=who("olga", "operator"))
    assert vault.erase("u-lan").count == 2


def test_emergency_path_needs_after_the_fact_review(
    svc: AuthorityRequestService, vault: Vault
) -> None:
    from onshore.core.errors import GuardFailed, SeparationOfDuties

    seed(vault)
    cid = receive(svc, "emergency")
    case = svc.act(cid, "declare_emergency", principal=who("ada", "approver"),
                   note={"justification": "threat to life"})  # fmt: skip
    assert case.state == "residency_check"
    svc.act(cid, "collect", principal=who("olga", "operator"))
    svc.act(cid, "submit_qa", principal=who("olga", "operator"))
    svc.act(cid, "package", principal=who("olga", "operator"))
    svc.act(cid, "request_release", principal=who("olga", "operator"))
    svc.act(cid, "release", principal=who("ada", "approver"))
    with pytest.raises(GuardFailed, match="after-the-fact"):
        svc.act(cid, "close", principal=who("olga", "operator"), note={"notice_waived_reason": "x"})
    with pytest.raises(SeparationOfDuties):
        svc.act(cid, "post_review", principal=who("ada", "legal_reviewer"))
    svc.act(
        cid, "post_review", principal=who("rita", "legal_reviewer"), note={"outcome": "ratified"}
    )
    svc.act(cid, "notify_user", principal=who("olga", "operator"))
    assert svc.act(cid, "close", principal=who("olga", "operator")).state == "closed"


def test_non_emergency_cannot_take_emergency_path(svc: AuthorityRequestService) -> None:
    from onshore.core.errors import GuardFailed

    cid = receive(svc, "warrant")
    with pytest.raises(GuardFailed):
        svc.act(
            cid, "declare_emergency", principal=who("ada", "approver"), note={"justification": "x"}
        )
