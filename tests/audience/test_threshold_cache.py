"""The threshold step decides once per combination of metric-test results and opens an
ingest's obligations together: same rules, same cases, each with its history and leaf."""

from __future__ import annotations

import itertools
from pathlib import Path

from onshore.core.cases.audience import metric_tests
from onshore.core.ledger import EventType
from onshore.services.audience import AudienceService
from onshore.services.audience_thresholds import ThresholdDecisions

from .conftest import write_csv

VALUES = {
    "vn_followers": [None, 0.0, 9999.0, 10000.0, 10001.0, 250000.0],
    "vn_subscribers": [None, 10001.0],
    "vn_monthly_visits": [None, 50000.0, 100000.0, 2e6],
    "vn_monthly_visits_avg6m": [None, 99999.0, 100000.0, 2e6],
    "vn_livestreaming": [None, 0.0, 1.0],
    "vn_monetised": [None, 0.0, 1.0],
}


def test_cached_decisions_equal_fresh_ones(svc: AudienceService) -> None:
    names = list(VALUES)
    decisions = ThresholdDecisions(svc.rules)
    combos = list(itertools.product(*VALUES.values()))
    for kind, day in (("account", "2026-11-20"), ("service", "2026-11-20"),
                      ("account", "2024-01-05")):  # fmt: skip
        for values in combos[::7]:
            metrics = {n: v for n, v in zip(names, values, strict=True) if v is not None}
            fresh = ThresholdDecisions(svc.rules).decide(kind, "VN", day, metrics)
            assert decisions.applied(kind, "VN", day, metrics) == fresh
    assert decisions.evaluations < len(combos[::7]) * 3
    # what the engine reads: every test of every rule, so equal keys mean equal decisions
    assert {t.metric for t in decisions.tests} >= {"vn_followers", "vn_livestreaming"}
    assert len(decisions.tests) == len(metric_tests(cr.rule for cr in svc.runtime.engine.rules))


def test_copies_are_independent(svc: AudienceService) -> None:
    decisions = ThresholdDecisions(svc.rules)
    a = decisions.applied("account", "VN", "2026-11-20", {"vn_livestreaming": 1.0})
    a[0]["title"] = "changed"
    b = decisions.applied("account", "VN", "2026-11-20", {"vn_livestreaming": 1.0})
    assert b[0]["title"] != "changed" and decisions.evaluations == 1


def test_an_ingest_opens_every_case_with_history_and_leaf(
    svc: AudienceService, tmp_path: Path
) -> None:
    lines = [f"acct-{i},account,VN,2026-11-20,{800 + i},,{str(i % 2 == 0).lower()},"
             f"{str(i % 3 == 0).lower()}" for i in range(30)]  # fmt: skip
    lines.append("big-1,account,VN,2026-11-20,20000,,false,false")
    report = svc.ingest_file(write_csv(tmp_path / "m.csv", lines))
    expected = {f"acct-{i}" for i in range(30) if i % 2 == 0 or i % 3 == 0} | {"big-1"}
    cases = {c.case_id: c for c in svc.obligations()}
    assert sorted(report.opened) == sorted(cases) and len(cases) == len(expected)
    assert {c.data["subject_id"] for c in cases.values()} == expected
    log = svc.cases.ledger(svc.region.name)
    indexes = []
    for case_id in report.opened:
        case = cases[case_id]
        assert case.state == "open" and case.version == 1
        assert case.data["rule"]["rule_id"] == "VN-D147-10k" and case.data["below"] is False
        [event] = svc.cases.history(case_id)
        assert (event.action, event.to_state, event.note["on"]) == ("open", "open", "2026-11-20")
        assert event.note["metrics"] == case.data["metrics"]
        [entry] = log.history(case_id)
        assert entry.leaf.type == EventType.CASE_TRANSITION
        indexes.append(entry.index)
        state = svc.status(case.data["subject_id"])["obligations"]
        assert [(o["case_id"], o["above"]) for o in state] == [(case_id, True)]
    assert indexes == sorted(indexes) and len(set(indexes)) == len(indexes)
    again = svc.ingest_file(write_csv(tmp_path / "n.csv", [
        ln.replace("2026-11-20", "2026-11-21") for ln in lines]))  # fmt: skip
    assert again.opened == [] and again.above == []  # still above: nothing new


def test_put_states_writes_what_put_state_writes(svc: AudienceService) -> None:
    one = {"subject_type": "account", "rules": {"R": {"case_id": "c-1", "above": True}}}
    two = {"subject_type": "service", "rules": {}}
    svc.store.put_state("a", "VN", {"rules": {}})
    svc.store.put_states([("a", "VN", one), ("b", "VN", two)])
    svc.store.put_states([])
    assert svc.store.states() == {("a", "VN"): one, ("b", "VN"): two}
