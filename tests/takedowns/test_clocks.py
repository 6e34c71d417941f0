"""Clocks: the deadline by source and urgency from the packs (the law of the day), time to
acknowledge and to action, due-soon and breached listings, gauges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.services.runtime import Runtime
from onshore.services.takedowns import TakedownService
from tests.cases.conftest import who

from .conftest import NOTICE, T0, drive, to_decided

H = timedelta(hours=1)


@pytest.mark.parametrize(("source", "urgent", "at", "rule", "hours"), [
    ("authority_order", False, T0, "VN-D147-takedown", 24),
    ("authority_order", True, T0, "VN-LCS25-takedown", 6),
    # before the 2025 Cybersecurity Law (2026-07-01) urgency shortens nothing
    ("authority_order", True, datetime(2026, 3, 2, 2, tzinfo=UTC), "VN-D147-takedown", 24),
    ("trusted_flagger", False, T0, None, None),
    ("user_complaint", False, T0, None, None),
])  # fmt: skip
def test_deadline_by_source_and_urgency(svc: TakedownService, clock: FixedClock, source: str,
                                        urgent: bool, at: datetime, rule: str | None,
                                        hours: int | None) -> None:  # fmt: skip
    clock.at = at
    case = svc.receive(source=source, notice=NOTICE, principal=who("o", "operator"), urgent=urgent)
    if rule is None:
        assert case.data["deadline"] is None and case.due_at is None
        return
    assert case.data["deadline"]["source"] == rule
    assert case.due_at == at + hours * H


def test_account_owner_gets_48_hours_for_a_user_complaint(runtime: Runtime) -> None:
    from dataclasses import replace

    runtime.entity = replace(runtime.entity, roles=frozenset({"account_owner"}))
    svc = TakedownService(runtime, registry=CollectorRegistry())
    case = svc.receive(source="user_complaint", notice=NOTICE, principal=who("o", "operator"))
    assert case.data["deadline"]["source"] == "VN-D147-owner"
    assert case.due_at == T0 + 48 * H


def test_priority_by_source() -> None:
    from onshore.core.cases.takedowns import priority

    assert [priority(s, urgent=u) for s, u in [
        ("authority_order", True), ("authority_order", False), ("trusted_flagger", False),
        ("user_complaint", False)]] == ["P0", "P1", "P2", "P3"]  # fmt: skip


def test_times_recorded_and_listings(svc: TakedownService, clock: FixedClock) -> None:
    urgent = svc.receive(source="authority_order", notice=NOTICE, principal=who("o", "operator"),
                         urgent=True)  # fmt: skip
    other = {**NOTICE, "reference": "CV-2026-89"}  # the same reference would be one notice
    normal = svc.receive(source="authority_order", notice=other, principal=who("o", "operator"))
    clock.at = T0 + 5 * H
    report = svc.due(within=2 * H)
    assert [c.case_id for c in report.due_soon] == [urgent.case_id]
    assert report.overdue == []
    clock.at = T0 + 7 * H
    report = svc.due(within=2 * H)
    assert [c.case_id for c in report.overdue] == [urgent.case_id]
    svc.refresh_gauges()
    reg = svc.cases._registry
    assert reg.get_sample_value("onshore_cases_overdue", {"kind": "takedown"}) == 1
    assert (
        reg.get_sample_value("onshore_cases_open", {"kind": "takedown", "state": "received"}) == 2
    )
    clock.at = T0 + 8 * H
    case = svc.act(normal.case_id, "validate", principal=who("o", "operator"))
    assert case.data["timing"]["time_to_acknowledge_s"] == 8 * 3600
    case = drive(
        svc,
        case,
        [
            ("triage", "o", "operator", {}),
            ("legal_review", "l", "legal_reviewer", {}),
            ("clear", "l", "legal_reviewer", {"legal_opinion": "ok"}),
        ],
    )
    clock.at = T0 + 10 * H
    from .conftest import DECISION_LAW

    case = drive(
        svc,
        case,
        [
            ("decide", "r", "legal_reviewer", {"decision": DECISION_LAW}),
            ("enforce", "o", "operator", {"restriction_ref": "geo:VN"}),
        ],
    )
    assert case.data["timing"]["time_to_action_s"] == 10 * 3600 and case.due_at is None
    rows = {r["case_id"]: r for r in svc.report()["rows"]}
    assert rows[normal.case_id]["breached"] is False
    assert rows[urgent.case_id]["breached"] is True  # still not actioned, 6 h passed


def test_report_groups_and_medians(svc: TakedownService, clock: FixedClock) -> None:
    a = to_decided(svc)
    clock.at = T0 + 3 * H
    svc.act(a.case_id, "enforce", principal=who("o", "operator"), note={"restriction_ref": "x"})
    to_decided(svc, "user_complaint")
    out = svc.report()
    assert out["total"] == 2
    assert out["by_source"] == {"authority_order": 1, "user_complaint": 1}
    assert out["by_action"] == {"remove": 1, "restrict": 1}
    assert out["by_reason"] == {"STATEMENT_CATEGORY_SCAMS_AND_FRAUD": 2}
    assert out["median_time_to_acknowledge_s"] == 0
    assert out["median_time_to_action_s"] == 3 * 3600
    assert "sender" not in out["rows"][0] and "notice" not in out["rows"][0]
