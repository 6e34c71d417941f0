"""Fixtures for takedown notices: the default deployment (SQLite), a clock after the 2025
Cybersecurity Law took effect, and helpers to drive a notice along its lifecycle."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from onshore.adapters.clock import FixedClock
from onshore.ports import Case
from onshore.services.runtime import Runtime, open_runtime
from onshore.services.takedowns import TakedownService
from tests.cases.conftest import settings_for, who

T0 = datetime(2026, 8, 3, 2, 0, tzinfo=UTC)  # Monday 09:00 in Ha Noi

NOTICE: dict[str, Any] = {
    "reason": "advertises unlicensed online gambling",
    "content": [
        {
            "url": "https://social.example/p/123",
            "content_type": "CONTENT_TYPE_VIDEO",
            "posted_at": "2026-07-30",
        }
    ],
    "sender": {
        "name": "Authority of Broadcasting and Electronic Information",
        "kind": "authority",
        "email": "notices@abei.example",
        "country": "VN",
    },
    "recipient": {"name": "Example Social Pte Ltd", "country": "SG"},
    "jurisdictions": ["VN"],
    "reference": "CV-2026-88",
    "legal_basis": "Decree 147/2024/ND-CP",
}

DECISION_LAW: dict[str, Any] = {
    "action": "restrict", "ground": "law", "territorial_scope": ["VN"],
    "legal_ground": "Decree 147/2024/ND-CP art. 8", "explanation": "advertises gambling services "
    "without a licence in Viet Nam", "category": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
}  # fmt: skip
DECISION_TERMS: dict[str, Any] = {
    "action": "remove", "ground": "terms", "terms_ground": "Community rules 4.2 (spam)",
    "explanation": "repeated identical links to a gambling site",
    "category": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
}  # fmt: skip


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def runtime(tmp_path: Path, clock: FixedClock) -> Iterator[Runtime]:
    rt = open_runtime(settings_for(tmp_path), create_keys=True, clock=clock)
    yield rt
    rt.close()


@pytest.fixture
def svc(runtime: Runtime) -> TakedownService:
    return TakedownService(runtime, registry=CollectorRegistry())


def drive(svc: TakedownService, case: Case, steps: list[tuple[str, str, str, dict[str, Any]]]
          ) -> Case:  # fmt: skip
    """Take ``(action, actor, role, note)`` steps in order."""
    for action, actor, role, note in steps:
        case = svc.act(case.case_id, action, principal=who(actor, role), note=note)
    return case


def to_decided(svc: TakedownService, source: str = "authority_order",
               decision: dict[str, Any] | None = None, urgent: bool = False) -> Case:  # fmt: skip
    """A complete notice from ``source`` taken to ``decided``."""
    case = svc.receive(
        source=source, notice=NOTICE, principal=who("olga", "operator"), urgent=urgent
    )
    steps: list[tuple[str, str, str, dict[str, Any]]] = [
        ("validate", "olga", "operator", {}),
        ("triage", "olga", "operator", {}),
    ]
    if source == "authority_order":
        steps += [
            ("legal_review", "lan", "legal_reviewer", {}),
            ("clear", "lan", "legal_reviewer", {"legal_opinion": "valid order from ABEI"}),
        ]
    else:
        steps += [("start_review", "olga", "operator", {})]
    steps += [("decide", "rita", "legal_reviewer",
               {"decision": decision or (DECISION_LAW if source == "authority_order"
                                         else DECISION_TERMS)})]  # fmt: skip
    return drive(svc, case, steps)
