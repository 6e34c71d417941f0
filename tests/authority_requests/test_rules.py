"""Safeguards: illegal transitions, the two-person rule, reason codes, verified channels,
cross-border blocking, deadlines (calendar and working days)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.core.cases.authority_requests import PRE_PRODUCTION, REQUESTS
from onshore.core.errors import (
    GuardFailed,
    IllegalTransition,
    InputError,
    RoleNotPermitted,
    SeparationOfDuties,
)
from onshore.services.authority_requests import AuthorityRequestService
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from tests.cases.conftest import settings_for, who

from .conftest import REGISTRY_YAML, T0, seed
from .test_flow import SCOPE, produce, receive, to_review


@pytest.mark.parametrize(("state", "action"), REQUESTS.illegal_pairs())
def test_every_illegal_transition_is_a_typed_error(state: str, action: str) -> None:
    with pytest.raises(IllegalTransition) as err:
        REQUESTS.step(state, action)
    assert err.value.code == "case.illegal_transition"


def test_illegal_transition_through_the_service_changes_nothing(
    svc: AuthorityRequestService,
) -> None:
    cid = receive(svc)
    with pytest.raises(IllegalTransition):
        svc.act(cid, "release", principal=who("ada", "approver"))
    assert svc.cases.get(cid).state == "received" and len(svc.cases.history(cid)) == 1


def test_withdrawn_from_every_pre_production_state_only() -> None:
    for state in REQUESTS.states:
        allowed = any(t.action == "withdraw" for t in REQUESTS.available(state))
        assert allowed == (state in PRE_PRODUCTION), state


def test_same_person_cannot_review_and_release(svc: AuthorityRequestService, vault: Vault) -> None:
    seed(vault)
    cid = receive(svc)
    to_review(svc, cid)
    svc.act(cid, "approve", principal=who("rita", "legal_reviewer"))
    with pytest.raises(SeparationOfDuties):
        produce_as(svc, cid, approver="rita")
    assert svc.cases.get(cid).state == "release_approval"
    assert svc.act(cid, "release", principal=who("ada", "approver")).state == "produced"


def produce_as(svc: AuthorityRequestService, cid: str, approver: str) -> None:
    svc.act(cid, "check_residency", principal=who("olga", "operator"))
    svc.act(cid, "collect", principal=who("olga", "operator"))
    svc.act(cid, "submit_qa", principal=who("olga", "operator"))
    svc.act(cid, "package", principal=who("olga", "operator"))
    svc.act(cid, "request_release", principal=who("olga", "operator"))
    svc.act(cid, "release", principal=who(approver, "approver"))


def test_roles_are_enforced(svc: AuthorityRequestService) -> None:
    cid = receive(svc)
    to_review(svc, cid)
    with pytest.raises(RoleNotPermitted):
        svc.act(cid, "approve", principal=who("olga", "operator"))
    with pytest.raises(RoleNotPermitted):
        svc.act(cid, "approve", principal=who("ada", "auditor"))


def test_rejection_needs_a_known_reason_code(svc: AuthorityRequestService) -> None:
    cid = receive(svc)
    to_review(svc, cid)
    with pytest.raises(GuardFailed):
        svc.act(cid, "reject", principal=who("rita", "legal_reviewer"))
    with pytest.raises(GuardFailed, match="reason_code must be one of"):
        svc.act(cid, "reject", principal=who("rita", "legal_reviewer"), note={"reason_code": "meh"})
    case = svc.act(cid, "reject", principal=who("rita", "legal_reviewer"),
                   note={"reason_code": "overbroad"})  # fmt: skip
    assert case.state == "rejected" and case.data["rejection"] == {"reason_code": "overbroad"}


def test_only_verified_channels_authenticate(svc: AuthorityRequestService) -> None:
    cid = receive(svc)
    svc.act(cid, "authenticate", principal=who("olga", "operator"))
    with pytest.raises(GuardFailed, match="not a verified channel"):
        svc.act(cid, "verify", principal=who("olga", "operator"), note={"channel": "a05-fax"})
    with pytest.raises(GuardFailed):
        svc.act(cid, "verify", principal=who("olga", "operator"), note={"channel": "nope"})
    assert svc.act(cid, "verify", principal=who("olga", "operator"),
                   note={"channel": "a05-portal"}).state == "classified"  # fmt: skip


def test_narrowing_rescopes(svc: AuthorityRequestService, vault: Vault) -> None:
    ids = seed(vault)
    cid = receive(svc)
    to_review(svc, cid)
    svc.act(cid, "narrow", principal=who("rita", "legal_reviewer"), note={"reason": "too broad"})
    narrower = {"subjects": ["u-minh"], "categories": ["email"]}
    case = svc.act(cid, "resubmit", principal=who("olga", "operator"), note={"scope": narrower})
    assert case.state == "legal_review" and case.data["scope"]["categories"] == ["email"]
    svc.act(cid, "approve", principal=who("rita", "legal_reviewer"))
    produce(svc, cid)
    case = svc.cases.get(cid)
    # only the profile carries an email: the post is out of scope
    [collected] = case.data["collected"]["vn-hcm"]
    assert collected in ids["u-minh"] and case.data["produced"]["records"] == 1
    assert "u-minh" not in str([e.note for e in svc.cases.history(cid)])


def test_scope_input_errors(svc: AuthorityRequestService) -> None:
    with pytest.raises(InputError):
        receive(svc, scope={"categories": ["email"]})  # no account
    with pytest.raises(InputError):
        receive(svc, scope={"subjects": ["u"], "categories": ["not_a_category"]})
    with pytest.raises(InputError):
        receive(svc, scope={"subjects": ["u"], "categories": ["email"], "ssn": ["1"]})
    with pytest.raises(InputError):
        receive(svc, process_type="subpoena")
    with pytest.raises(InputError):
        receive(svc, authority="XX-NOBODY")


def test_case_data_holds_no_identifier_in_the_clear(svc: AuthorityRequestService) -> None:
    cid = receive(svc, scope={"phone_number": ["0912 345 678"], "email": ["lan@example.vn"],
                              "subjects": ["u-lan"], "categories": ["email"]})  # fmt: skip
    import json

    raw = json.dumps(svc.cases.get(cid).data)
    for secret in ("912345678", "lan@example.vn", "u-lan"):
        assert secret not in raw


def _approve(svc: AuthorityRequestService, cid: str, channel: str) -> None:
    svc.act(cid, "authenticate", principal=who("olga", "operator"))
    svc.act(cid, "verify", principal=who("olga", "operator"), note={"channel": channel})
    svc.act(cid, "submit", principal=who("olga", "operator"))
    svc.act(cid, "approve", principal=who("rita", "legal_reviewer"))


def test_cross_border_disclosure_blocked_and_counted(vault: Vault) -> None:
    registry = CollectorRegistry()
    svc = AuthorityRequestService(vault, registry=registry)
    seed(vault)
    # u-tan's data lives in sg-1 (SG); the packs say nothing about SG -> VN: not allowed
    cid = receive(svc, scope={"subjects": ["u-tan"], "categories": ["email"]})
    _approve(svc, cid, "a05-portal")
    case = svc.act(cid, "check_residency", principal=who("olga", "operator"))
    assert case.state == "rejected"
    assert case.data["rejection"] == {"reason_code": "cross_border_blocked"}
    assert case.data["blocked_regions"] == ["sg-1"]
    assert case.data["residency"]["sg-1"]["outcome"] == "no_decision"
    labels = {"region": "sg-1", "country": "VN"}
    assert registry.get_sample_value("onshore_requests_cross_border_blocked_total", labels) == 1
    assert svc.cases.history(cid)[-1].action == "block"


def test_cross_border_disclosure_the_engine_allows(
    svc: AuthorityRequestService, vault: Vault
) -> None:
    seed(vault)
    # VN data to a Singapore authority: the vn pack allows it with a TIA dossier owed after
    cid = receive(svc, authority="SG-SPF", scope={"subjects": ["u-lan"], "categories": ["email"]})
    _approve(svc, cid, "spf-portal")
    case = svc.act(cid, "check_residency", principal=who("olga", "operator"))
    verdict = case.data["residency"]["vn-hcm"]
    assert case.state == "residency_check" and verdict["allowed"] and verdict["rules"]
    assert any(o["kind"] == "transfer_requires" for o in verdict["obligations"])
    assert case.region == "sg-1"  # the case lives in the authority's country's region


def test_same_country_disclosure_needs_no_transfer_decision(
    svc: AuthorityRequestService, vault: Vault
) -> None:
    seed(vault)
    cid = receive(svc, scope={"subjects": ["u-lan", "u-tan"], "categories": ["email"]})
    to_review(svc, cid)
    svc.act(cid, "approve", principal=who("rita", "legal_reviewer"))
    case = svc.act(cid, "check_residency", principal=who("olga", "operator"))
    assert case.state == "residency_check"
    assert case.data["residency"]["vn-hcm"]["outcome"] == "same_country"
    # u-tan's data lives in sg-1: a disclosure from SG to a VN authority, not allowed here
    assert case.data["blocked_regions"] == ["sg-1"]
    svc.act(cid, "collect", principal=who("olga", "operator"))
    assert set(svc.cases.get(cid).data["collected"]) == {"vn-hcm"}


def test_stated_deadline_in_working_days_skips_the_weekend(svc: AuthorityRequestService) -> None:
    # T0 is Friday 09:00 UTC: 2 working days later is Tuesday 09:00
    cid = receive(svc, respond_within={"amount": 2, "unit": "working_day"})
    case = svc.cases.get(cid)
    assert case.due_at == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert case.data["deadline"]["source"] == "request"
    cal = svc.cases.get(receive(svc, respond_within={"amount": 2, "unit": "day"}))
    assert cal.due_at == datetime(2026, 3, 8, 9, 0, tzinfo=UTC)  # Sunday: calendar days


def test_pack_deadline_when_the_rule_is_enforced(tmp_path: Path) -> None:
    (tmp_path / "authorities.yaml").write_text(REGISTRY_YAML)
    settings = settings_for(tmp_path)
    settings = settings.model_copy(update={"deployment": settings.deployment.model_copy(
        update={"enforce_unconfirmed": True})})  # fmt: skip
    at = datetime(2026, 8, 7, 9, 0, tzinfo=UTC)  # LCS25 in force; a Friday
    vault = Vault(open_runtime(settings, create_keys=True, clock=FixedClock(at)))
    try:
        svc = AuthorityRequestService(vault, registry=CollectorRegistry())
        case = svc.cases.get(receive(svc))
        assert case.due_at == at + timedelta(hours=24)
        assert case.data["deadline"]["source"] == "VN-LCS25-userinfo"
        urgent = svc.cases.get(receive(svc, "emergency"))
        assert urgent.due_at == at + timedelta(hours=3)
        stated = svc.cases.get(receive(svc, respond_within={"amount": 1, "unit": "hour"}))
        assert stated.due_at == at + timedelta(hours=1)  # the earlier one wins
    finally:
        vault.close()


def test_overdue_and_due_soon_listing(svc: AuthorityRequestService, clock: FixedClock) -> None:
    a = receive(svc, respond_within={"amount": 1, "unit": "working_day"})  # Monday 09:00
    b = receive(svc, respond_within={"amount": 3, "unit": "working_day"})  # Wednesday 09:00
    clock.at = T0 + timedelta(days=3, hours=1)  # Monday 10:00
    report = svc.cases.due(within=timedelta(days=2))
    assert [c.case_id for c in report.overdue] == [a]
    assert [c.case_id for c in report.due_soon] == [b]


_ = SCOPE
