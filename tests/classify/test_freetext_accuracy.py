"""Free-text accuracy on the labelled corpus (tests/fixtures/freetext), held-out part included.

The held-out part was written apart from the tuning part and never tuned on; these bounds
are issue 18's ("F1 on your held-out corpus >= 0.96 with no category under 0.9").
"""

from __future__ import annotations

import pytest

from onshore.core.classify import Registry, TextClassifier, default_registry
from tests.classify.freetext_scoring import LABELLED, NEVER, load, score_items, score_part

HELD_OUT_F1 = 0.96
CATEGORY_F1 = 0.9


@pytest.fixture(scope="module")
def held_out() -> object:
    return score_part("held_out")


def test_held_out_f1_overall(held_out: object) -> None:
    """Overall (micro) F1 on the held-out part meets the issue's bound."""
    assert held_out.overall.f1 >= HELD_OUT_F1, held_out.table()  # type: ignore[attr-defined]


@pytest.mark.parametrize("category", LABELLED)
def test_held_out_f1_per_category(held_out: object, category: str) -> None:
    """No labelled category is under 0.9 on the held-out part, and each has examples."""
    counts = held_out.by_category[category]  # type: ignore[attr-defined]
    assert counts.tp + counts.fn >= 20, f"too few {category} labels"
    assert counts.f1 >= CATEGORY_F1, held_out.table()  # type: ignore[attr-defined]


@pytest.mark.parametrize("part", ["tuning", "held_out"])
def test_no_special_category_from_text(part: str) -> None:
    """Texts naming religions, ethnic groups and parties yield no finding of those categories."""
    scores = score_part(part)
    for category in NEVER:
        assert scores.by_category[category].fp == 0, scores.table()
    texts = [i["text"] for i in load(part) if i["kind"] == "text"]
    religious = [t for t in texts if "đạo" in t or "Catholic" in t or "dân tộc" in t]
    assert religious  # the corpus does hold such texts


def test_tuning_part_scores() -> None:
    """The part the recognizers were fixed against stays (near) perfect."""
    scores = score_part("tuning")
    assert scores.overall.f1 >= 0.98, scores.table()


def test_bound_fails_without_the_new_recognizers() -> None:
    """The held-out bound is not met by the classifier as it was before issue 18."""
    new = {"email_obfuscated", "health_condition"}
    old = Registry(r for r in default_registry().all() if r.name not in new)
    scores = score_items(load("held_out"), TextClassifier(old))
    assert scores.overall.f1 < HELD_OUT_F1
    assert scores.by_category["health"].f1 < CATEGORY_F1
