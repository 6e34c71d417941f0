"""Records that travel: DSA Transparency Database statements (validated), Lumen notices;
and the safeguards (legal review, a different appeal reviewer, nothing deleted)."""

from __future__ import annotations

from typing import Any

import pytest

from onshore.core.cases.dsa_schema import CATEGORIES, DECISION_VISIBILITIES, EEA, dsa_problems
from onshore.core.cases.statement_of_reasons import export_batch, statement_of_reasons
from onshore.core.errors import GuardFailed, InputError, SeparationOfDuties
from onshore.services.takedowns import TakedownService
from tests.cases.conftest import who

from .conftest import DECISION_TERMS, NOTICE, drive, to_decided

VALID: dict[str, Any] = {
    "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
    "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
    "incompatible_content_ground": "ToS 4.2", "incompatible_content_explanation": "spam",
    "incompatible_content_illegal": "No", "content_type": ["CONTENT_TYPE_TEXT"],
    "category": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "territorial_scope": ["DE", "FR"],
    "content_date": "2026-07-30", "application_date": "2026-08-03", "decision_facts": "spam",
    "source_type": "SOURCE_ARTICLE_16", "automated_detection": "No",
    "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED", "puid": "takedown-abc_1",
}  # fmt: skip


def test_valid_statement_has_no_problems() -> None:
    assert dsa_problems(VALID) == []


@pytest.mark.parametrize(("change", "problem"), [
    ({"decision_ground": "ILLEGAL"}, "decision_ground: must be one of"),
    ({"category": "STATEMENT_CATEGORY_PIRACY"}, "category: must be one of"),
    ({"content_type": []}, "content_type: required"),
    ({"territorial_scope": ["VN"]}, "territorial_scope: must be a list of EEA"),
    ({"puid": "has space"}, "puid: only letters"),
    ({"puid": None}, "puid: required"),
    ({"application_date": "2019-12-31"}, "application_date: on or after 2020-01-01"),
    ({"content_date": "30/07/2026"}, "content_date: must be YYYY-MM-DD"),
    ({"automated_decision": "No"}, "automated_decision: must be one of"),
    ({"automated_detection": "maybe"}, "automated_detection: must be one of"),
    ({"decision_visibility": None}, "decision_visibility: required when"),
    ({"decision_visibility": ["DECISION_VISIBILITY_OTHER"]}, "decision_visibility_other: required"),
    ({"content_type": ["CONTENT_TYPE_OTHER"]}, "content_type_other: required here"),
    ({"incompatible_content_ground": ""}, "incompatible_content_ground: required here"),
    ({"illegal_content_legal_ground": "x"}, "illegal_content_legal_ground: not allowed here"),
    ({"decision_facts": "x" * 5001}, "decision_facts: at most 5000"),
    ({"source_type": "SOURCE_VOLUNTARY", "source_identity": "me"}, "source_identity: not allowed"),
    ({"notifier_email": "a@b.c"}, "notifier_email: not a Transparency Database field"),
])  # fmt: skip
def test_invalid_statements_are_named(change: dict[str, Any], problem: str) -> None:
    statement = {k: v for k, v in {**VALID, **change}.items() if v is not None}
    problems = dsa_problems(statement)
    assert any(p.startswith(problem) for p in problems), problems
    with pytest.raises(InputError):
        export_batch([statement])


def test_enumerations_are_the_tdb_ones() -> None:
    assert len(EEA) == 30 and "VN" not in EEA
    assert "DECISION_VISIBILITY_CONTENT_REMOVED" in DECISION_VISIBILITIES
    assert "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE" in CATEGORIES


def test_statement_sent_through_the_workflow_validates_and_exports(svc: TakedownService) -> None:
    case = to_decided(svc)  # restrict in VN on the law
    case = drive(
        svc,
        case,
        [
            ("enforce", "o", "operator", {"restriction_ref": "geo:VN"}),
            ("send_statement", "o", "operator", {}),
        ],
    )
    st = case.data["statement"]
    assert st["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DISABLED"]
    assert st["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert st["illegal_content_legal_ground"].startswith("Decree 147")
    assert st["territorial_scope"] == []  # VN only: no EEA territory
    assert st["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION"
    assert st["content_type"] == ["CONTENT_TYPE_VIDEO"] and st["content_date"] == "2026-07-30"
    assert st["automated_detection"] == "No"
    [batch] = svc.dsa_export()
    assert len(batch["statements"]) == 1 and "sent_at" not in batch["statements"][0]
    assert dsa_problems(batch["statements"][0]) == []
    assert case.data["decision"]["territorial_scope"] == ["VN"]  # the case keeps the full scope


def test_global_removal_covers_the_whole_eea() -> None:
    data = {
        "notice": {**NOTICE, "source": "user_complaint", "received_at": "2026-08-03"},
        "decision": DECISION_TERMS,
        "enforcement": {"at": "2026-08-03T10:00:00+00:00"},
    }
    st = statement_of_reasons(data, "takedown-1")
    assert st["territorial_scope"] == list(EEA)
    assert "source_identity" not in st  # a user's identity is not published
    assert dsa_problems(st) == []


def test_statement_that_does_not_validate_is_not_sent(svc: TakedownService) -> None:
    bad = {**DECISION_TERMS, "category": "STATEMENT_CATEGORY_PIRACY"}  # not a TDB category
    case = to_decided(svc, "user_complaint", bad)
    case = svc.act(case.case_id, "enforce", principal=who("o", "operator"),
                   note={"restriction_ref": "x"})  # fmt: skip
    with pytest.raises(GuardFailed, match="category"):
        svc.act(case.case_id, "send_statement", principal=who("o", "operator"))
    assert svc.cases.get(case.case_id).state == "enforced"


def test_lumen_notice(svc: TakedownService) -> None:
    case = to_decided(svc)
    body = svc.lumen_export(case.case_id)["notice"]
    assert body["type"] == "GovernmentRequest" and body["jurisdiction_list"] == "VN"
    assert body["action_taken"] == "Partial"
    assert body["works_attributes"][0]["infringing_urls_attributes"] == [
        {"url": "https://social.example/p/123"}
    ]
    roles = {r["name"]: r["entity_attributes"] for r in body["entity_notice_roles_attributes"]}
    assert roles["recipient"]["country_code"] == "SG" and roles["sender"]["kind"] == "organization"


def test_individual_sender_contact_is_not_exported(svc: TakedownService) -> None:
    notice = {
        **NOTICE,
        "sender": {"name": "Nguyễn An", "kind": "individual", "email": "an@example.vn"},
    }
    case = svc.receive(source="user_complaint", notice=notice, principal=who("o", "operator"))
    sender = svc.lumen_export(case.case_id)["notice"]["entity_notice_roles_attributes"][0]
    assert "email" not in sender["entity_attributes"]


def test_authority_order_needs_legal_review(svc: TakedownService) -> None:
    case = svc.receive(source="authority_order", notice=NOTICE, principal=who("o", "operator"))
    case = drive(svc, case, [("validate", "o", "operator", {}), ("triage", "o", "operator", {})])
    with pytest.raises(GuardFailed, match="legal review"):
        svc.act(case.case_id, "start_review", principal=who("o", "operator"))
    with pytest.raises(GuardFailed, match="legal_opinion"):
        drive(
            svc,
            case,
            [("legal_review", "l", "legal_reviewer", {}), ("clear", "l", "legal_reviewer", {})],
        )


def test_appeal_is_decided_by_someone_else(svc: TakedownService) -> None:
    case = to_decided(svc, "trusted_flagger")
    case = drive(
        svc,
        case,
        [
            ("enforce", "o", "operator", {"restriction_ref": "x"}),
            ("send_statement", "o", "operator", {}),
            ("open_appeal_window", "o", "operator", {}),
            ("appeal", "o", "operator", {"appeal_grounds": "g"}),
        ],
    )
    with pytest.raises(SeparationOfDuties):
        svc.act(case.case_id, "overturn", principal=who("rita", "legal_reviewer"),
                note={"reason": "changed my mind"})  # fmt: skip
    assert (
        svc.act(
            case.case_id, "overturn", principal=who("lan", "legal_reviewer"), note={"reason": "r"}
        ).state
        == "overturned"
    )


def test_nothing_is_deleted_and_evidence_is_retained(svc: TakedownService) -> None:
    case = to_decided(svc, "trusted_flagger")
    case = svc.act(case.case_id, "enforce", principal=who("o", "operator"),
                   note={"restriction_ref": "hide:p123"})  # fmt: skip
    enf = case.data["enforcement"]
    assert enf["deleted"] is False and enf["state"] == "restricted" and enf["mode"] == "everywhere"
    assert enf["evidence_retained_until"] > enf["at"]
    assert enf["retention_source"] in ("default",) or enf["retention_source"].startswith("VN-")
    assert case.data["notice"]["content"] == NOTICE["content"]  # the evidence is still there
