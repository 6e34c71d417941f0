"""Upstream vectors: Presidio's own recognizer cases and Viet Nam's numbering plan.

Data files in ``tests/classify/vectors/`` carry their attribution (Presidio, MIT; Google
libphonenumber, Apache-2.0) and, for Presidio, the selection rule and each excluded case with
its reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from onshore.core.classify import TextClassifier
from onshore.core.classify.recognizers import vn_phone

VECTORS = Path(__file__).parent / "vectors"
PRESIDIO: dict[str, Any] = json.loads((VECTORS / "presidio_cases.json").read_text("utf-8"))
VN_PLAN: dict[str, Any] = json.loads((VECTORS / "vn_phone_libphonenumber.json").read_text("utf-8"))
CLASSIFIER = TextClassifier()


def _case_id(case: dict[str, Any]) -> str:
    return f"{case['entity']}-{case['line']}-{case['text'][:30]}"


@pytest.mark.parametrize("case", PRESIDIO["cases"], ids=_case_id)
def test_presidio_case(case: dict[str, Any]) -> None:
    found = [f for f in CLASSIFIER.findings(case["text"]) if f.category == case["onshore_category"]]
    assert len(found) == case["expected_count"]
    if case["expected_spans"]:
        assert [[f.start, f.end] for f in found] == case["expected_spans"]


def test_presidio_selection_is_documented() -> None:
    assert len(PRESIDIO["cases"]) > 450
    assert all(case["reason"] for case in PRESIDIO["excluded"])


@pytest.mark.parametrize(
    "case", VN_PLAN["derived_cases"], ids=lambda c: f"{c['input']}-{c['expected_valid']}"
)
def test_vn_numbering_plan_derived(case: dict[str, Any]) -> None:
    assert (vn_phone.RECOGNIZER.check(case["input"]) is not None) is case["expected_valid"]
    in_text = [f.category for f in CLASSIFIER.findings(f"SĐT: {case['input']}.")]
    assert ("phone_number" in in_text) is case["expected_valid"]


@pytest.mark.parametrize(
    "case",
    [c for c in VN_PLAN["upstream_example_numbers"] if c["e164"]],
    ids=lambda c: c["type"],
)
def test_vn_numbering_plan_upstream_examples(case: dict[str, Any]) -> None:
    assert vn_phone.RECOGNIZER.check(case["e164"]) is not None
    assert vn_phone.RECOGNIZER.country_of(case["e164"]) == "VN"
