"""Time travel (the law of the day), conflict resolution, and deadline arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onshore.core.policy import EntityFacts, Facts, Outcome
from onshore.core.policy.duration import add_duration, add_working_days
from onshore.services.policy import load_engine

VN_TZ = timezone(timedelta(hours=7))
ENGINE = load_engine(["vn", "eu"])


def _applied(d: object, rule: str) -> bool:
    trace = d.trace(rule)  # type: ignore[attr-defined]
    return bool(trace and trace.applied)


@pytest.mark.parametrize(
    ("at", "tia_rule", "other"),
    [
        (datetime(2025, 12, 31, 23, 59, tzinfo=VN_TZ), "VN-D13-25", "VN-D356-17-18"),
        (datetime(2026, 1, 1, 0, 0, tzinfo=VN_TZ), "VN-D356-17-18", "VN-D13-25"),
    ],
)
def test_decree_13_until_2026_then_decree_356(at: datetime, tia_rule: str, other: str) -> None:
    d = ENGINE.storage_decision("VN", frozenset({"email"}), "SG", EntityFacts("SG"), at)
    assert _applied(d, tia_rule) and not _applied(d, other)
    reason = d.trace(other).reason  # type: ignore[union-attr]
    assert "in force" in reason


def test_cybersecurity_law_2018_then_2025() -> None:
    before = datetime(2026, 6, 30, 12, tzinfo=VN_TZ)
    after = datetime(2026, 7, 1, 0, tzinfo=VN_TZ)
    e = EntityFacts("VN")
    d1 = ENGINE.storage_decision("VN", frozenset({"email"}), "SG", e, before)
    d2 = ENGINE.storage_decision("VN", frozenset({"email"}), "SG", e, after)
    assert _applied(d1, "VN-LCS18-26.3a") and not _applied(d1, "VN-LCS25-loc")
    assert not _applied(d2, "VN-LCS18-26.3a") and _applied(d2, "VN-LCS25-loc")
    assert "superseded by LCS25" in d2.trace("VN-LCS18-26.3a").reason  # type: ignore[union-attr]
    assert any("D53: whether it remains in force" in w for w in d2.warnings)
    assert not any("D53:" in w for w in d1.warnings)


def test_before_decree_53_nothing_denies() -> None:
    d = ENGINE.storage_decision(
        "VN", frozenset({"email"}), "SG", EntityFacts("VN"), datetime(2022, 9, 1, tzinfo=VN_TZ)
    )
    assert d.outcome is Outcome.NO_DECISION
    assert "not yet in force" in d.trace("VN-D53-26.2").reason  # type: ignore[union-attr]


def test_deny_beats_allow_and_explains() -> None:
    at = datetime(2025, 6, 1, tzinfo=VN_TZ)
    d = ENGINE.storage_decision("VN", frozenset({"email"}), "SG", EntityFacts("VN"), at)
    assert d.outcome is Outcome.DENY
    assert _applied(d, "VN-D13-25")  # it permits with a dossier, but the deny wins
    assert d.resolution[0].startswith("deny beats allow: VN-D53-26.2 over VN-D13-25")
    assert d.obligations == ()


def test_strictest_duration_wins_across_rules() -> None:
    at = datetime(2026, 8, 3, 10, tzinfo=VN_TZ)
    facts = Facts(
        EntityFacts("VN"),
        request="authority_takedown",
        flags=frozenset({"urgent"}),
        events={"authority_request": at},
    )
    d = ENGINE.evaluate("remove", facts, at)
    removal = [o for o in d.obligations if o.kind == "remove_within"]
    assert [(o.rule_id, o.due) for o in removal] == [("VN-LCS25-takedown", at + timedelta(hours=6))]
    assert any("strictest duration wins: VN-LCS25-takedown" in r for r in d.resolution)


def test_minimum_retention_longest_wins() -> None:
    start = datetime(2025, 1, 1, tzinfo=VN_TZ)
    facts = Facts(
        EntityFacts("VN"),
        subject_country="VN",
        categories=frozenset({"email", "system_log"}),
        region_country="VN",
        events={"storage_request": start},
    )
    d = ENGINE.evaluate("store", facts, datetime(2025, 2, 1, tzinfo=VN_TZ))
    keep = [o for o in d.obligations if o.kind == "retain_min"]
    assert [(o.rule_id, o.due) for o in keep] == [
        ("VN-D53-27.data", datetime(2027, 1, 1, tzinfo=VN_TZ))
    ]


def test_working_day_due_dates_skip_weekends() -> None:
    friday = datetime(2026, 1, 9, 16, tzinfo=VN_TZ)
    facts = Facts(
        EntityFacts("VN"), subject_country="VN", request="withdraw", events={"request": friday}
    )
    d = ENGINE.evaluate("request", facts, friday)
    dues = sorted(o.due for o in d.obligations if o.rule_id == "VN-D356-DSR" and o.due)
    assert dues[0] == datetime(2026, 1, 13, 16, tzinfo=VN_TZ)  # ack: Mon, Tue
    assert dues[1] == friday + timedelta(days=15)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        ("2025-06-06", 1, "2025-06-09"),  # Fri + 1 -> Mon
        ("2025-06-07", 1, "2025-06-09"),  # Sat + 1 -> Mon
        ("2025-06-08", 2, "2025-06-10"),  # Sun + 2 -> Tue
        ("2025-06-02", 5, "2025-06-09"),  # Mon + 5 -> next Mon
        ("2025-06-04", 0, "2025-06-04"),
    ],
)
def test_add_working_days_table(start: str, days: int, expected: str) -> None:
    s = datetime.fromisoformat(start).replace(tzinfo=UTC)
    assert add_working_days(s, days).date().isoformat() == expected


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(min_value=1, max_value=60),
)
def test_working_days_land_on_weekdays_and_count_exactly(start: datetime, n: int) -> None:
    due = add_working_days(start, n)
    assert due.weekday() < 5 and due.time() == start.time()
    days = [
        start.date() + timedelta(days=i) for i in range(1, (due.date() - start.date()).days + 1)
    ]
    assert sum(1 for d in days if d.weekday() < 5) == n


def test_months_clamp_and_hours() -> None:
    s = datetime(2025, 1, 31, 9, tzinfo=UTC)
    assert add_duration(s, 1, "month") == datetime(2025, 2, 28, 9, tzinfo=UTC)
    assert add_duration(s, 1, "year") == datetime(2026, 1, 31, 9, tzinfo=UTC)
    assert add_duration(s, 72, "hour") == datetime(2025, 2, 3, 9, tzinfo=UTC)
