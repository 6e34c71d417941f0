"""A data-subject request's clocks come from the packs, in the subject's country, counted
from receipt: acknowledgement then answer, one extension where the rule allows it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.core.errors import GuardFailed, InputError
from onshore.services.dsr import DsrService
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from tests.cases.conftest import settings_for

from .conftest import AN, BINH, T0, request


def test_a_restriction_before_2026_is_answered_within_72_hours(svc: DsrService) -> None:
    received = datetime(2025, 6, 2, 3, 0, tzinfo=UTC)
    case = svc.intake(request("restriction", received_at=received.isoformat(), country="VN"),
                      principal=AN).case  # fmt: skip
    assert case.data["deadline"]["source"] == "VN-D13-9.6-9.8"
    assert case.due_at == received + timedelta(hours=72)
    assert case.data["received_at"] == received.isoformat()


def test_decree_356_acknowledge_then_answer_then_extend_once(svc: DsrService) -> None:
    case = svc.intake(request("objection", country="VN"), principal=AN).case
    ack, answer = case.data["ack_deadline"], case.data["deadline"]
    assert ack["source"] == answer["source"] == "VN-D356-DSR"
    assert case.due_at == datetime.fromisoformat(ack["due"])  # first due: the acknowledgement
    assert case.due_at.weekday() < 5 and T0 < case.due_at < T0 + timedelta(days=5)
    assert datetime.fromisoformat(answer["due"]) == T0 + timedelta(days=15)
    assert answer["extend_once"] == {"amount": 15, "unit": "day"}
    acked = svc.act(case.case_id, "acknowledge", principal=AN)
    assert acked.due_at == T0 + timedelta(days=15)
    with pytest.raises(GuardFailed):  # a reason is needed
        svc.act(case.case_id, "extend", principal=BINH)
    extended = svc.act(case.case_id, "extend", principal=BINH, note={"reason": "many systems"})
    assert extended.due_at == T0 + timedelta(days=30)
    assert extended.data["deadline"]["extended_from"] == answer["due"]
    with pytest.raises(GuardFailed, match="already extended"):
        svc.act(case.case_id, "extend", principal=BINH, note={"reason": "again"})


def test_through_a_processor_the_answer_takes_20_days(svc: DsrService) -> None:
    case = svc.intake(request("withdrawal", via_processor=True, country="VN"), principal=AN).case
    assert datetime.fromisoformat(case.data["deadline"]["due"]) == T0 + timedelta(days=20)


def test_an_erasure_in_viet_nam_is_due_in_72_hours(svc: DsrService) -> None:
    case = svc.intake(request("erasure", country="VN"), principal=AN).case
    assert case.data["deadline"]["source"] == "VN-D165-del" and case.data["ack_deadline"] is None
    assert case.due_at == T0 + timedelta(hours=72)
    with pytest.raises(GuardFailed, match="no rule allows"):
        svc.act(case.case_id, "extend", principal=BINH, note={"reason": "busy"})


def test_an_eu_subject_gets_one_month_extendable_by_two(tmp_path: Path) -> None:
    base = settings_for(tmp_path)
    deployment = base.deployment.model_copy(update={"packs": ["vn", "eu"]})
    settings = base.model_copy(update={"deployment": deployment})
    vault = Vault(open_runtime(settings, create_keys=True, clock=FixedClock(T0)))
    svc = DsrService(vault, registry=CollectorRegistry())
    received = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    case = svc.intake(request("access", country="DE", received_at=received.isoformat()),
                      principal=AN).case  # fmt: skip
    assert case.data["deadline"]["source"] == "EU-GDPR-12.3"
    assert case.due_at is not None and case.due_at.date().isoformat() == "2026-02-28"
    assert case.data["deadline"]["extend_once"] == {"amount": 2, "unit": "month"}
    vault.close()


def test_no_rule_no_clock_and_receipt_not_after_entry(svc: DsrService) -> None:
    case = svc.intake(request("access"), principal=AN).case  # VN after Decree 13: no rule
    assert case.due_at is None and case.data["deadline"] is None
    later = (T0 + timedelta(hours=1)).isoformat()
    with pytest.raises(InputError, match="after the time the request is entered"):
        svc.intake(request("access", received_at=later), principal=AN)
    with pytest.raises(InputError):
        svc.intake({"request_type": "access", "channel": "web_form"}, principal=AN)
