"""Data-subject requests through the service: identity first, the access package across
regions, erasure across regions, outcomes, refusals, the two-person rules, the ledger."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from onshore.core.cases.package import verify_package
from onshore.core.errors import (
    GuardFailed,
    IllegalTransition,
    InputError,
    RoleNotPermitted,
    SeparationOfDuties,
)
from onshore.core.ledger import EventType
from onshore.services.dsr import BOUND_EFFECTS, DsrService
from onshore.services.production import read_package
from onshore.services.vault import Vault

from .conftest import AN, BINH, CHI, LAN_EMAIL, LAN_PHONE, T0, request, seed


def verified(svc: DsrService, kind: str, **extra: object) -> str:
    case = svc.intake(request(kind, **extra), principal=AN).case
    svc.act(case.case_id, "verify_identity", principal=AN, note={"method": "otp_email"})
    return case.case_id


def test_every_declared_effect_is_bound(svc: DsrService) -> None:
    assert svc.declaration.effect_names() == BOUND_EFFECTS


def test_access_package_covers_every_region_and_verifies(vault: Vault, svc: DsrService) -> None:
    ids = seed(vault)
    cid = verified(svc, "access")
    case = svc.act(cid, "assemble", principal=AN)
    assert case.state == "assembled"
    assert case.data["package"]["regions"] == ["sg-1", "vn-hcm"]
    assert case.data["package"]["records"] == 2
    with pytest.raises(SeparationOfDuties):  # who assembled may not deliver
        svc.act(cid, "deliver", principal=who_else_as(AN, "approver"))
    case = svc.act(cid, "deliver", principal=CHI)
    assert case.state == "answered" and case.due_at is None
    files = read_package(Path(case.data["package"]["dir"]))
    report = verify_package(files)
    assert report.ok, report.failures
    assert report.records == 2 and report.ledger_index == case.data["produced"]["ledger_index"]
    rows = [json.loads(line) for p, b in files.items() if p.startswith("records/")
            for line in b.splitlines()]  # fmt: skip
    assert sorted(r["record_id"] for r in rows) == sorted(ids["u-lan"])  # not Minh's
    assert {r["region"] for r in rows} == {"vn-hcm", "sg-1"}
    profile = next(r for r in rows if r["kind"] == "profile")
    assert profile["data"]["email"] == LAN_EMAIL and "email" in profile["categories"]
    html = files["summary.html"].decode()
    assert LAN_EMAIL in html and "&lt;b&gt;xin chào&lt;/b&gt;" in html and "<b>xin" not in html
    tampered = {**files, "summary.html": files["summary.html"].replace(b"Lan", b"Lam")}
    assert not verify_package(tampered).ok


def who_else_as(principal: object, role: str) -> object:
    """The same person (same id) holding another role: still one person."""
    from onshore.core.identity import Principal

    assert isinstance(principal, Principal)
    return Principal("user", principal.id, principal.name, frozenset({role}))


def test_nothing_happens_to_data_before_identity_is_verified(vault: Vault, svc: DsrService) -> None:
    seed(vault)
    case = svc.intake(request("erasure"), principal=AN).case
    for action in ("assemble", "erase", "comply"):
        with pytest.raises(IllegalTransition):
            svc.act(case.case_id, action, principal=BINH)
    with pytest.raises(GuardFailed):  # no method named
        svc.act(case.case_id, "verify_identity", principal=AN)
    with pytest.raises(InputError):  # not a method we know
        svc.act(case.case_id, "verify_identity", principal=AN, note={"method": "trust_me"})
    after = svc.act(
        case.case_id, "verify_identity", principal=AN,
        note={"method": "document_seen", "evidence_ref": "TICKET-7"},
    )  # fmt: skip
    assert after.data["identity"] == {
        "verified_by": AN.id, "method": "document_seen", "evidence_ref": "TICKET-7",
        "at": after.updated_at.isoformat(),
    }  # fmt: skip
    assert after.data["holdings"] == {"sg-1": 1, "vn-hcm": 1}


def test_erasure_across_regions_by_a_second_person(vault: Vault, svc: DsrService) -> None:
    ids = seed(vault)
    cid = verified(svc, "erasure")
    verifier = who_else_as(AN, "legal_reviewer")
    with pytest.raises(SeparationOfDuties):  # who verified may not erase
        svc.act(cid, "erase", principal=verifier)  # type: ignore[arg-type]
    with pytest.raises(RoleNotPermitted):  # operators do not erase
        svc.act(cid, "erase", principal=who_else_as(CHI, "operator"))  # type: ignore[arg-type]
    case = svc.act(cid, "erase", principal=BINH)
    assert case.state == "answered"
    assert case.data["erasure"]["erased"] == {"vn-hcm": 1, "sg-1": 1}
    for name in ("vn-hcm", "sg-1"):
        [rid] = [r for r in ids["u-lan"] if r.startswith(name)]
        assert vault.runtime.regions[name].db.records.get(rid) is None
        leaves = [e.leaf.type for e in vault.ledger(name).history(rid)]
        assert EventType.RECORD_ERASED in leaves
    assert vault.runtime.regions["vn-hcm"].db.records.get(ids["u-minh"][0]) is not None


def test_comply_records_outcomes_and_restriction(vault: Vault, svc: DsrService) -> None:
    seed(vault)
    cid = verified(svc, "restriction", details="stop profiling my posts")
    with pytest.raises(GuardFailed):  # an outcome is needed
        svc.act(cid, "comply", principal=BINH)
    case = svc.act(cid, "comply", principal=BINH,
                   note={"outcome": "profiling stopped", "restriction_ref": "FLAG-9"})  # fmt: skip
    assert case.state == "answered"
    assert case.data["outcome"]["restriction"] == {
        "state": "restricted", "restriction_ref": "FLAG-9", "regions": ["sg-1", "vn-hcm"],
        "enforced_by_vault": False,
    }  # fmt: skip
    access = verified(svc, "access", reference="A-1")
    with pytest.raises(GuardFailed, match="cannot be answered by comply"):
        svc.act(access, "comply", principal=BINH, note={"outcome": "x"})


def test_refusal_records_typed_grounds(svc: DsrService) -> None:
    case = svc.intake(request("objection"), principal=AN).case
    with pytest.raises(InputError):
        svc.act(case.case_id, "refuse", principal=BINH, note={"grounds": ["because"]})
    with pytest.raises(GuardFailed):
        svc.act(case.case_id, "refuse", principal=BINH, note={"grounds": []})
    done = svc.act(
        case.case_id,
        "refuse",
        principal=BINH,
        note={
            "grounds": ["identity_not_verified", "manifestly_unfounded"],
            "explanation": "no reply",
        },
    )
    assert done.state == "refused"
    assert done.data["refusal"]["grounds"] == ["identity_not_verified", "manifestly_unfounded"]


def test_no_identifier_in_the_clear_outside_the_package(
    vault: Vault, svc: DsrService, tmp_path: Path
) -> None:
    seed(vault)
    cid = verified(svc, "access", phone_number=[LAN_PHONE])
    svc.act(cid, "assemble", principal=AN)
    svc.act(cid, "deliver", principal=CHI)
    vault.close()
    needles = [LAN_EMAIL.encode(), LAN_PHONE.encode(), b"u-lan"]
    for path in tmp_path.rglob("*"):
        if path.is_file() and "packages" not in path.parts:
            body = path.read_bytes()
            assert not any(n in body for n in needles), path


def test_the_same_reference_opens_one_case(svc: DsrService) -> None:
    first = svc.intake(request("access", reference="WF-1"), principal=AN)
    again = svc.intake(request("access", reference="WF-1"), principal=AN)
    assert first.created and not again.created and first.case.case_id == again.case.case_id
    assert "scope_terms" not in svc.view(first.case)["data"]
    masked = svc.view(first.case)["data"]["subject"]["identifiers"]
    assert masked == [{"type": "email", "masked": "lan*********vn"}]


def test_the_report_counts_types_outcomes_and_suppresses_small_counts(
    vault: Vault, svc: DsrService
) -> None:
    seed(vault)
    erasure = verified(svc, "erasure", reference="E-1", country="VN")
    svc.act(erasure, "erase", principal=BINH)
    refused = svc.intake(request("objection", reference="O-1", country="VN"), principal=AN)
    refused_id = refused.case.case_id
    svc.act(refused_id, "refuse", principal=BINH, note={"grounds": ["manifestly_unfounded"]})
    svc.intake(request("access", reference="A-1", country="VN"), principal=AN)
    start, end = T0 - timedelta(days=1), T0 + timedelta(days=1)
    [row] = svc.report(start, end, k=1).rows
    assert row["country"] == "VN" and row["requests"] == 3
    assert (row["erasure"], row["objection"], row["access"]) == (1, 1, 1)
    assert (row["answered"], row["refused"], row["open"], row["answered_late"]) == (1, 1, 1, 0)
    assert row["median_completion_hours"] == 0.0 and row["suppressed"] == []
    [hidden] = svc.report(start, end, k=5).rows
    assert hidden["requests"] is None and "answered" in hidden["suppressed"]
    [empty] = svc.report(end, end + timedelta(days=1), k=1).rows
    assert empty["country"] == "ALL" and empty["requests"] == 0
