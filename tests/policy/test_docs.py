"""Every pack-file and cases-file model field is documented in docs/policy-packs.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from onshore.core.policy import cases, model
from onshore.core.policy.compiled import REQUIREMENT_OPS
from onshore.core.policy.vocabulary import OPS, REQUIREMENT_KEYS, SIZES, STATUSES, TRIGGER_KEYS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "policy-packs.md").read_text()

MODELS: list[type[BaseModel]] = [
    model.Pack, model.PackInfo, model.Instrument, model.Group, model.Rule, model.Condition,
    model.Trigger, model.Requirement, model.Duration, model.Range, model.MetricTest,
    cases.CaseFile, cases.Case, cases.CaseFacts, cases.CaseEntity, cases.Expect,
    cases.ExpectedObligation,
]  # fmt: skip


def _section(name: str) -> str:
    match = re.search(rf"^### `{name}`\n(.*?)(?=^##|\Z)", DOC, re.S | re.M)
    assert match, f"docs/policy-packs.md has no section ### `{name}`"
    return match.group(1)


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_every_field_documented(cls: type[BaseModel]) -> None:
    section = _section(cls.__name__)
    missing = [
        f.alias or n for n, f in cls.model_fields.items() if f"`{f.alias or n}`" not in section
    ]
    assert not missing, f"{cls.__name__}: undocumented keys {missing}"


def test_every_requirement_and_trigger_type_documented() -> None:
    assert set(REQUIREMENT_KEYS) == set(REQUIREMENT_OPS)
    for name in [*REQUIREMENT_KEYS, *TRIGGER_KEYS, *OPS, *SIZES, *STATUSES]:
        assert f"`{name}`" in DOC, name
