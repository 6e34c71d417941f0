"""The issue's acceptance examples, through the fast path the vault uses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from onshore.core.policy import EntityFacts, Outcome, PolicyEngine
from onshore.services.policy import load_engine

VN_TZ = timezone(timedelta(hours=7))
DOMESTIC = EntityFacts("VN", frozenset({"social_network"}))
FOREIGN = EntityFacts("SG", frozenset({"social_network"}))


@pytest.fixture(scope="module")
def engine() -> PolicyEngine:
    return load_engine(["vn", "eu"])


@pytest.mark.parametrize("category", ["political_opinion", "phone_number", "email", "relationship"])
def test_domestic_entity_may_not_store_vn_subject_data_in_sg(
    engine: PolicyEngine, category: str
) -> None:
    at = datetime(2025, 6, 1, tzinfo=UTC)
    d = engine.storage_decision("VN", frozenset({category}), "SG", DOMESTIC, at)
    assert d.outcome is Outcome.DENY
    assert "VN-D53-26.2" in d.deciding_rules
    assert d.to_dict()["outcome"] == "deny"


def test_domestic_entity_may_store_in_vn(engine: PolicyEngine) -> None:
    at = datetime(2025, 6, 1, tzinfo=UTC)
    d = engine.storage_decision("VN", frozenset({"political_opinion"}), "VN", DOMESTIC, at)
    assert d.outcome is Outcome.ALLOW
    assert d.deciding_rules == ("VN-D53-26.2",)


def test_foreign_entity_not_denied_abroad_but_owes_tia_under_decree_13(
    engine: PolicyEngine,
) -> None:
    at = datetime(2025, 6, 1, 10, tzinfo=VN_TZ)
    d = engine.storage_decision("VN", frozenset({"email"}), "SG", FOREIGN, at)
    assert d.outcome is not Outcome.DENY
    tia = [o for o in d.obligations if o.kind == "transfer_requires"]
    assert [(o.rule_id, o.due) for o in tia] == [("VN-D13-25", at + timedelta(days=60))]
    assert d.trace("VN-D53-26.3") is not None and not d.trace("VN-D53-26.3").applied  # type: ignore[union-attr]


def test_foreign_entity_owes_tia_under_decree_356_from_2026(engine: PolicyEngine) -> None:
    at = datetime(2026, 1, 1, 0, tzinfo=VN_TZ)
    d = engine.storage_decision("VN", frozenset({"email"}), "SG", FOREIGN, at)
    assert d.outcome is Outcome.ALLOW
    tia = [o for o in d.obligations if o.kind == "transfer_requires"]
    assert [(o.rule_id, o.due) for o in tia] == [("VN-D356-17-18", at + timedelta(days=60))]


def test_foreign_entity_with_storage_decision_is_denied_abroad(engine: PolicyEngine) -> None:
    entity = EntityFacts("SG", frozenset({"messaging"}), frozenset({"VN-D53-26.3"}))
    at = datetime(2025, 6, 1, tzinfo=UTC)
    d = engine.storage_decision("VN", frozenset({"phone_number"}), "SG", entity, at)
    assert d.outcome is Outcome.DENY
    assert d.deciding_rules == ("VN-D53-26.3",)
    assert engine.storage_decision("VN", frozenset({"phone_number"}), "VN", entity, at).outcome is (
        Outcome.ALLOW
    )


def test_storage_decision_outside_the_ten_sectors_is_not_denied(engine: PolicyEngine) -> None:
    entity = EntityFacts("SG", frozenset(), frozenset({"VN-D53-26.3"}))
    at = datetime(2025, 6, 1, tzinfo=UTC)
    d = engine.storage_decision("VN", frozenset({"email"}), "SG", entity, at)
    assert d.outcome is not Outcome.DENY


def test_eu_subject_stored_in_vn_needs_safeguards(engine: PolicyEngine) -> None:
    at = datetime(2025, 6, 1, tzinfo=UTC)
    d = engine.storage_decision("DE", frozenset({"email"}), "VN", DOMESTIC, at)
    assert d.outcome is Outcome.DENY and d.deciding_rules == ("EU-GDPR-44-49",)
    assert engine.storage_decision("DE", frozenset({"email"}), "FR", DOMESTIC, at).outcome is (
        Outcome.NO_DECISION
    )


def test_cached_decisions_match_fresh_ones_at_other_times(engine: PolicyEngine) -> None:
    first = datetime(2025, 6, 1, tzinfo=UTC)
    later = datetime(2025, 6, 2, tzinfo=UTC)
    a = engine.storage_decision("VN", frozenset({"email"}), "SG", FOREIGN, first)
    b = engine.storage_decision("VN", frozenset({"email"}), "SG", FOREIGN, later)
    assert b.at == later and b.obligations != a.obligations
    fresh = load_engine(["vn", "eu"]).storage_decision(
        "VN", frozenset({"email"}), "SG", FOREIGN, later
    )
    assert fresh == b
    c = engine.storage_decision("VN", frozenset({"email"}), "VN", DOMESTIC, later)
    d = engine.storage_decision("VN", frozenset({"email"}), "VN", DOMESTIC, first)
    assert (c.at, d.at) == (later, first) and c.considered == d.considered


def test_unconfirmed_rules_warn_unless_enforced() -> None:
    at = datetime(2026, 8, 1, tzinfo=UTC)
    entity = EntityFacts("SG")
    lax = load_engine(["vn"]).storage_decision("VN", frozenset({"email"}), "SG", entity, at)
    assert lax.outcome is Outcome.ALLOW
    assert any("VN-LCS25-loc (unconfirmed, not enforced) would deny" in w for w in lax.warnings)
    strict = load_engine(["vn"], enforce_unconfirmed=True)
    d = strict.storage_decision("VN", frozenset({"email"}), "SG", entity, at)
    assert d.outcome is Outcome.DENY and d.deciding_rules == ("VN-LCS25-loc",)
