"""Erasure decisions: retention minimums and legal holds outrank erasure, with date and rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from onshore.services.retention import RetentionService
from onshore.services.vault import Vault
from tests.retention.conftest import SUBJECT, T0, hold, seed


def test_no_storage_request_means_erase_now(vault: Vault) -> None:
    seed(vault)
    decision = RetentionService(vault.region_set).erasure_decision(SUBJECT, None, T0)
    assert decision.erase_now and decision.rules == ()


def test_storage_request_defers_erasure_24_months(vault: Vault) -> None:
    seed(vault)
    received = datetime(2026, 1, 10, 3, 0, tzinfo=UTC)
    hold(vault, received, days=30)  # expired by T0: only the 24-month minimum remains
    decision = RetentionService(vault.region_set).erasure_decision(SUBJECT, None, T0)
    assert decision.deferred
    assert decision.rules == ("VN-D53-27.data",)
    assert decision.until == datetime(2028, 1, 10, 3, 0, tzinfo=UTC)  # 24 months after receipt
    assert "VN-D53-27.data" in decision.reason and "2028-01-10" in decision.reason
    # once the minimum has passed, the erasure may go ahead
    later = RetentionService(vault.region_set).erasure_decision(
        SUBJECT, None, datetime(2028, 1, 11, tzinfo=UTC)
    )
    assert later.erase_now


def test_active_hold_longer_than_minimum_sets_the_date(vault: Vault) -> None:
    seed(vault)
    received = T0 - timedelta(days=1)
    hold(vault, received, days=1000)
    decision = RetentionService(vault.region_set).erasure_decision(SUBJECT, None, T0)
    assert decision.until == received + timedelta(days=1000)
    assert decision.rules == ("VN-D53-27.data", "legal-hold:req-1")


def test_regions_limit_the_question(vault: Vault) -> None:
    seed(vault)
    hold(vault, T0 - timedelta(days=1))
    svc = RetentionService(vault.region_set)
    assert svc.erasure_decision(SUBJECT, ["sg-1"], T0).erase_now
    assert svc.erasure_decision(SUBJECT, ["vn-hcm"], T0).deferred
