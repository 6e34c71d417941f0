"""Thresholds from the packs: crossing opens an obligation with its due date, the six-month
mean, falling below is recorded and closes nothing, the dossier and its hash on the ledger."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from onshore.core.cases.audience import month_before, six_month_mean, threshold_bounds
from onshore.core.errors import GuardFailed
from onshore.core.ledger import EventType
from onshore.core.policy import EntityFacts
from onshore.services.audience import AudienceService
from onshore.services.runtime import Runtime
from tests.cases.conftest import who

from .conftest import write_csv

HOLDER = {"contact": {"name": "Nguyễn An", "email": "an@example.vn"},
          "content_summary": "Home cooking videos in Vietnamese"}  # fmt: skip


def test_crossing_10k_opens_an_advisory_obligation(svc: AudienceService, tmp_path: Path) -> None:
    report = svc.ingest_file(
        write_csv(
            tmp_path / "a.csv",
            [
                "acct-1,account,VN,2026-11-19,9990,,,",
                "acct-1,account,VN,2026-11-20,10412,,,",
                "acct-2,account,VN,2026-11-20,10000,,,",
            ],
        )
    )  # 10,000 is not "more than 10,000"
    [case] = svc.obligations()
    assert report.opened == [case.case_id] and case.data["subject_id"] == "acct-1"
    rule = case.data["rule"]
    assert rule["rule_id"] == "VN-D147-10k" and rule["status"] == "unconfirmed"
    assert rule["enforced"] is False and case.due_at is None  # the pack gives no deadline
    assert case.data["crossed_on"] == "2026-11-20"
    status = svc.status("acct-1", on="2026-11-20")
    assert status["subscribers"]["subscribers"] == 10412
    assert [h["change"] for h in status["history"]] == [None, 422]
    assert status["subscribers"]["line"] == 3 and status["obligations"][0]["above"] is True


def test_falling_below_is_recorded_and_closes_nothing(svc: AudienceService, tmp_path: Path
                                                      ) -> None:  # fmt: skip
    svc.ingest_file(write_csv(tmp_path / "a.csv", ["acct-1,account,VN,2026-11-20,10412,,,"]))
    below = svc.ingest_file(write_csv(tmp_path / "b.csv", ["acct-1,account,VN,2026-11-21,9800,,,"]))
    [case] = svc.obligations()
    assert below.below == [case.case_id] and case.state == "open"
    assert case.data["below"] is True and case.data["below_since"] == "2026-11-21"
    above = svc.ingest_file(
        write_csv(tmp_path / "c.csv", ["acct-1,account,VN,2026-11-22,10100,,,"])
    )
    assert above.above == [case.case_id] and above.opened == []
    actions = [e.action for e in svc.cases.history(case.case_id)]
    assert actions == ["open", "record_below", "record_above"]
    with pytest.raises(GuardFailed, match="reason"):
        svc.act(case.case_id, "close", principal=who("olga", "operator"))
    closed = svc.act(case.case_id, "close", principal=who("olga", "operator"),
                     note={"reason": "account holder notified MIC directly"})  # fmt: skip
    assert closed.state == "closed"


@pytest.fixture
def foreign(runtime: Runtime) -> AudienceService:
    """A foreign cross-border provider (Decree 147 art. 23)."""
    runtime.entity = EntityFacts("SG", frozenset({"social_network"}),
                                 roles=frozenset({"cross_border_provider"}))  # fmt: skip
    return AudienceService(runtime, registry=CollectorRegistry())


def _months(visits: list[int], subject: str = "svc-1") -> list[str]:
    out = []
    for i, v in enumerate(visits):
        month = month_before("2026-11", len(visits) - 1 - i)
        out.append(f"{subject},service,VN,{month}-15,,{v},,")
    return out


def test_six_month_mean_rule_with_60_day_due(foreign: AudienceService, tmp_path: Path) -> None:
    # five months are not enough, whatever the numbers
    foreign.ingest_file(write_csv(tmp_path / "a.csv", _months([500_000] * 5)))
    assert foreign.obligations() == []
    # six months averaging 100,000 cross the threshold on the sixth
    foreign.ingest_file(write_csv(tmp_path / "b.csv",
                                  _months([90_000, 110_000, 95_000, 105_000, 100_000, 100_000],
                                          "svc-2")))  # fmt: skip
    [case] = foreign.obligations()
    assert case.data["rule"]["rule_id"] == "VN-D147-23.3a" and case.data["rule"]["form"] == "Form10"
    assert case.data["crossed_on"] == "2026-11-15"
    assert case.due_at is not None
    assert case.due_at.date() == (case.created_at.replace(2026, 11, 15) + timedelta(days=60)).date()
    assert case.data["metrics"]["vn_monthly_visits_avg6m"] == 100_000


def test_domestic_licence_threshold(runtime: Runtime, tmp_path: Path) -> None:
    runtime.entity = replace(runtime.entity, incorporated_in="VN")
    svc = AudienceService(runtime, registry=CollectorRegistry())
    svc.ingest_file(write_csv(tmp_path / "a.csv", _months([12_000] * 6)))
    [case] = svc.obligations()
    assert case.data["rule"]["rule_id"] == "VN-D147-dom.license"
    assert case.data["rule"]["requirement"] == "register_when_threshold"


def test_dossier_json_html_and_filing(svc: AudienceService, tmp_path: Path) -> None:
    svc.ingest_file(write_csv(tmp_path / "a.csv", ["acct-1,account,VN,2026-11-20,10412,,true,"]))
    [case] = svc.obligations()
    with pytest.raises(GuardFailed, match="content_summary"):
        svc.prepare(case.case_id, {"contact": HOLDER["contact"]}, principal=who("olga", "operator"))
    svc.prepare(case.case_id, HOLDER, principal=who("olga", "operator"))
    dossier = svc.dossier(case.case_id)
    assert dossier["audience"] == {"subscribers": 10412, "as_of": "2026-11-20",
                                   "monthly_visits_avg6m": None, "livestreaming": True,
                                   "monetised": False}  # fmt: skip
    assert dossier["rule"]["cite"].startswith("Decree 147") and dossier["contact"]["name"]
    html = svc.dossier_html(case.case_id)
    assert "10,412" in html and "Home cooking" in html and "<script" not in html
    filed = svc.file(case.case_id, principal=who("olga", "operator"))
    assert filed.state == "filed"
    leaves = svc.cases.ledger(filed.region).history(case.case_id)
    published = [e for e in leaves if e.leaf.type is EventType.REPORT_PUBLISHED]
    assert len(published) == 1 and published[0].index == filed.data["filed"]["ledger_index"]
    assert svc.dossier(case.case_id) == dossier  # what was filed stays what was filed
    ack = svc.act(case.case_id, "acknowledge", principal=who("olga", "operator"),
                  note={"reference": "MIC-2026-771"})  # fmt: skip
    assert ack.state == "acknowledged"


def test_bounds_come_from_the_packs(runtime: Runtime) -> None:
    rules = [r.rule for r in runtime.engine.rules]
    # VN-D147-10k: over 10,000 followers, or livestreaming or monetised for a VN audience
    assert threshold_bounds(rules, "VN") == {"subscribers": 10000.0, "monthly_visits": 10000.0,
                                             "livestreaming": 1.0, "monetised": 1.0}  # fmt: skip


def test_a_small_livestreaming_account_is_advised_to_notify(
    svc: AudienceService, tmp_path: Path
) -> None:
    report = svc.ingest_file(write_csv(tmp_path / "m.csv", [
        "acct-1,account,VN,2026-11-20,800,,true,false",
        "acct-2,account,VN,2026-11-20,800,,false,yes",
        "acct-3,account,VN,2026-11-20,800,,false,false",
        "acct-4,account,SG,2026-11-20,800,,true,true",
    ]))  # fmt: skip
    assert report.evaluated == 2 and len(report.opened) == 2  # no rule looks at SG audiences
    cases = {c.data["subject_id"]: c for c in svc.obligations()}
    assert sorted(cases) == ["acct-1", "acct-2"]
    rule = cases["acct-1"].data["rule"]
    assert (rule["rule_id"], rule["enforced"], rule["due"]) == ("VN-D147-10k", False, None)


@given(st.lists(st.integers(0, 10**9), min_size=6, max_size=6))
def test_six_month_mean_is_the_mean_of_six_months(values: list[int]) -> None:
    months = {month_before("2026-11", 5 - i): v for i, v in enumerate(values)}
    assert six_month_mean(months, "2026-11") == pytest.approx(sum(values) / 6)
    months.pop(month_before("2026-11", 3))
    assert six_month_mean(months, "2026-11") is None


def test_obligation_table_is_documented() -> None:
    from onshore.core.cases.audience import OBLIGATIONS

    doc = (Path(__file__).resolve().parents[2] / "docs" / "audience.md").read_text("utf-8")
    assert OBLIGATIONS.markdown() in doc
