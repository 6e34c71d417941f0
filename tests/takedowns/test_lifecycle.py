"""The takedown lifecycle: every legal path end to end, every illegal transition refused,
every step a ledger leaf, and the docs' table equal to the code's."""

from __future__ import annotations

from pathlib import Path

import pytest

from onshore.core.cases.takedowns import PRE_DECISION, TAKEDOWNS
from onshore.core.errors import GuardFailed, IllegalTransition, RoleNotPermitted
from onshore.core.ledger import EventType
from onshore.services.takedowns import TakedownService
from tests.cases.conftest import who

from .conftest import DECISION_LAW, NOTICE, drive, to_decided

ROOT = Path(__file__).resolve().parents[2]


def test_table_is_consistent_and_documented() -> None:
    assert TAKEDOWNS.initial == "received"
    assert TAKEDOWNS.terminal == {"closed", "upheld", "overturned", "withdrawn"}
    doc = (ROOT / "docs" / "takedowns.md").read_text(encoding="utf-8")
    assert TAKEDOWNS.markdown() in doc, "docs/takedowns.md table drifted from the code"


@pytest.mark.parametrize(("state", "action"), TAKEDOWNS.illegal_pairs())
def test_every_illegal_pair_is_refused(state: str, action: str) -> None:
    with pytest.raises(IllegalTransition) as info:
        TAKEDOWNS.step(state, action)
    assert info.value.details["allowed"] == [t.action for t in TAKEDOWNS.available(state)]


def test_full_path_with_appeal_overturned(svc: TakedownService, clock) -> None:  # type: ignore[no-untyped-def]
    case = to_decided(svc)
    case = drive(svc, case, [
        ("enforce", "olga", "operator", {"restriction_ref": "geo-block:VN:p123"}),
        ("send_statement", "olga", "operator", {}),
        ("open_appeal_window", "olga", "operator", {}),
        ("appeal", "olga", "operator", {"appeal_grounds": "the ad is licensed"}),
        ("overturn", "lan", "legal_reviewer", {"reason": "licence shown"}),
    ])  # fmt: skip
    assert case.state == "overturned"
    assert case.data["enforcement"]["state"] == "restored"
    assert case.data["enforcement"]["deleted"] is False
    history = svc.cases.history(case.case_id)
    assert [e.action for e in history] == [
        "open",
        "validate",
        "triage",
        "legal_review",
        "clear",
        "decide",
        "enforce",
        "send_statement",
        "open_appeal_window",
        "appeal",
        "overturn",
    ]
    leaves = svc.cases.ledger(case.region).history(case.case_id)
    assert len(leaves) == len(history)
    assert all(e.leaf.type is EventType.CASE_TRANSITION for e in leaves)


def test_user_complaint_no_action_path_and_close_after_window(svc: TakedownService, clock
                                                              ) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    no_action = {"action": "no_action", "ground": "terms", "terms_ground": "Community rules",
                 "explanation": "satire, within the rules"}  # fmt: skip
    case = to_decided(svc, "user_complaint", no_action)
    with pytest.raises(GuardFailed):
        svc.act(case.case_id, "enforce", principal=who("olga", "operator"),
                note={"restriction_ref": "x"})  # fmt: skip
    case = drive(svc, case, [("send_statement", "olga", "operator", {}),
                             ("open_appeal_window", "olga", "operator", {})])  # fmt: skip
    assert case.state == "appeal_window" and case.data["timing"]["time_to_action_s"] == 0
    with pytest.raises(GuardFailed, match="still open"):
        svc.act(case.case_id, "close", principal=who("olga", "operator"))
    from datetime import timedelta

    clock.at = clock.at + timedelta(days=181)
    with pytest.raises(GuardFailed, match="closed"):
        svc.act(case.case_id, "appeal", principal=who("olga", "operator"),
                note={"appeal_grounds": "late"})  # fmt: skip
    assert svc.act(case.case_id, "close", principal=who("olga", "operator")).state == "closed"


def test_appeal_upheld(svc: TakedownService) -> None:
    case = to_decided(svc, "trusted_flagger")
    case = drive(svc, case, [
        ("enforce", "olga", "operator", {"restriction_ref": "hide:p123"}),
        ("send_statement", "olga", "operator", {}),
        ("open_appeal_window", "olga", "operator", {}),
        ("appeal", "olga", "operator", {"appeal_grounds": "not spam"}),
        ("uphold", "lan", "legal_reviewer", {"reason": "spam confirmed"}),
    ])  # fmt: skip
    assert case.state == "upheld" and case.data["appeal"]["outcome"] == "uphold"


def test_incomplete_notice_is_held_naming_what_is_missing(svc: TakedownService) -> None:
    notice = {k: v for k, v in NOTICE.items() if k not in ("reason",)}
    notice["sender"] = {"name": "A user"}
    case = svc.receive(source="user_complaint", notice=notice, principal=who("olga", "operator"))
    assert case.data["missing"] == ["reason", "sender_contact"]
    case = svc.act(case.case_id, "validate", principal=who("olga", "operator"))
    with pytest.raises(GuardFailed, match="reason, sender_contact"):
        svc.act(case.case_id, "triage", principal=who("olga", "operator"))
    case = svc.act(case.case_id, "hold_incomplete", principal=who("olga", "operator"))
    assert case.state == "incomplete" and "asked_notifier_at" in case.data
    assert svc.cases.history(case.case_id)[-1].note["missing"] == ["reason", "sender_contact"]
    case = svc.act(
        case.case_id,
        "supplement",
        principal=who("olga", "operator"),
        note={
            "supplement": {
                "reason": "defamation of a person",
                "sender": {"name": "A user", "email": "u@example.vn"},
            }
        },
    )
    assert case.state == "validating" and case.data["missing"] == []
    assert svc.act(case.case_id, "triage", principal=who("olga", "operator")).state == "triaged"


def test_incomplete_notice_closed_unanswered(svc: TakedownService) -> None:
    case = svc.receive(
        source="user_complaint", notice={"content": []}, principal=who("o", "operator")
    )
    case = drive(
        svc,
        case,
        [
            ("validate", "o", "operator", {}),
            ("hold_incomplete", "o", "operator", {}),
            ("close_unanswered", "o", "operator", {"reason": "no reply"}),
        ],
    )
    assert case.state == "closed"


@pytest.mark.parametrize("state", PRE_DECISION)
def test_withdraw_from_every_pre_decision_state(svc: TakedownService, state: str) -> None:
    paths = {
        "received": [], "validating": ["validate"], "triaged": ["validate", "triage"],
        "review": ["validate", "triage", "legal_review", "clear"],
        "legal_review": ["validate", "triage", "legal_review"],
    }  # fmt: skip
    if state == "incomplete":
        case = svc.receive(source="user_complaint", notice={}, principal=who("o", "operator"))
        case = drive(
            svc, case, [("validate", "o", "operator", {}), ("hold_incomplete", "o", "operator", {})]
        )
    else:
        case = svc.receive(source="authority_order", notice=NOTICE, principal=who("o", "operator"))
        for action in paths[state]:
            role = "legal_reviewer" if action in ("legal_review", "clear") else "operator"
            case = svc.act(
                case.case_id,
                action,
                principal=who("o", role),
                note={"legal_opinion": "ok"} if action == "clear" else {},
            )
    assert case.state == state
    done = svc.act(case.case_id, "withdraw", principal=who("o", "operator"))
    assert done.state == "withdrawn" and done.due_at is None


def test_illegal_transitions_through_the_service(svc: TakedownService) -> None:
    case = svc.receive(source="authority_order", notice=NOTICE, principal=who("o", "operator"))
    for action in ("decide", "enforce", "appeal", "overturn", "triage"):
        with pytest.raises(IllegalTransition):
            svc.act(case.case_id, action, principal=who("o", "operator"))
    case = svc.act(case.case_id, "validate", principal=who("o", "operator"))
    with pytest.raises(RoleNotPermitted):
        svc.act(case.case_id, "triage", principal=who("a", "auditor"))
    assert len(svc.cases.history(case.case_id)) == 2  # refused steps wrote nothing


def test_decision_must_be_complete(svc: TakedownService) -> None:
    case = to_decided(svc, "user_complaint")
    assert case.data["decision"]["decided_by"] == "rita"
    notice = {**NOTICE, "reference": "CV-2026-90"}  # another notice (same reference: the same)
    other = svc.receive(source="user_complaint", notice=notice, principal=who("o", "operator"))
    other = drive(
        svc,
        other,
        [
            ("validate", "o", "operator", {}),
            ("triage", "o", "operator", {}),
            ("start_review", "o", "operator", {}),
        ],
    )
    bad = {**DECISION_LAW, "territorial_scope": [], "legal_ground": ""}
    with pytest.raises(GuardFailed, match="legal_ground"):
        svc.act(
            other.case_id, "decide", principal=who("rita", "legal_reviewer"), note={"decision": bad}
        )
