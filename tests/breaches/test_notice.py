"""Each law's notification contents (pure), and the transparency tables of breaches and
data-subject requests with small counts suppressed."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from onshore.core.cases.breach_notice import (
    CONTENTS,
    ELEMENTS,
    Owed,
    notification,
    to_html,
    to_markdown,
)
from onshore.core.cases.transparency_cases import BreachFacts, DsrFacts, breaches_table, dsr_table
from onshore.services.policy import load_engine

DUE = datetime(2026, 3, 9, 1, tzinfo=UTC)


def test_every_breach_rule_of_the_packs_has_its_contents() -> None:
    engine = load_engine(["vn", "eu", "ng", "in"])
    owing = {
        (r.rule.id, "subjects" if q.to == "subjects" else "authority")
        for r in engine.rules
        for q in r.rule.require
        if q.type == "notify_within"
        and q.to not in (None, "controller")
        and (not r.rule.on or "breach" in r.rule.on)
    }
    assert owing - set(CONTENTS) == set()
    assert {"EU-GDPR-34", "IN-DPDP-breach"} <= {rule for rule, aud in owing if aud == "subjects"}
    for content in CONTENTS.values():
        assert set(content.elements) <= set(ELEMENTS) and content.cite


@pytest.mark.parametrize(
    ("rule", "must"),
    [
        (
            "VN-D13-23",
            {
                "nature",
                "occurred",
                "data_categories",
                "approximate_subjects",
                "contact",
                "consequences",
                "measures_taken",
            },
        ),
        (
            "EU-GDPR-33",
            {
                "nature",
                "data_categories",
                "subject_categories",
                "approximate_subjects",
                "approximate_records",
                "contact",
                "consequences",
                "measures_proposed",
            },
        ),
        ("IN-DPDP-breach", {"cause", "person_responsible", "remedial_measures", "subject_notice"}),
    ],
)
def test_what_each_law_asks(rule: str, must: set[str]) -> None:
    doc = notification(Owed(rule, "authority", "X", "VN", DUE), {}, {})
    assert must <= set(doc["contents"]) and must <= set(doc["missing"])


def test_known_fills_and_late_adds_the_reason() -> None:
    owed = Owed("EU-GDPR-33", "authority", "SA", "FR", DUE, "The supervisory authority")
    details = {"nature": "<script>x</script>", "contact": "dpo@example.com"}
    counts = {"subjects": 7, "records": 9, "categories": {"email": 9}}
    doc = notification(owed, details, counts, late=True, late_reason="forensics")
    assert doc["contents"]["approximate_records"] == 9
    assert doc["contents"]["data_categories"] == ["email"]  # from the vault's counts
    assert doc["contents"]["late_reason"] == "forensics" and "late_reason" not in doc["missing"]
    assert "nature" not in doc["missing"] and "consequences" in doc["missing"]
    page = to_html([doc])
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "| Likely consequences of the breach | NOT KNOWN YET |" in to_markdown(doc)
    on_time = notification(owed, details, counts)
    assert "late_reason" not in on_time["contents"]


def test_breach_table_suppresses_small_counts() -> None:
    vn = BreachFacts({"VN": 100}, notified=True, late=False, hours_to_notify=20.0)
    both = BreachFacts({"VN": 3, "FR": 2}, notified=True, late=True, hours_to_notify=90.0)
    rows = {r["country"]: r for r in breaches_table([vn] * 5 + [both], k=5).rows}
    assert rows["VN"]["breaches"] == 6 and rows["VN"]["subjects_affected"] == 503
    assert rows["VN"]["notified_late"] is None and "notified_late" in rows["VN"]["suppressed"]
    assert rows["FR"]["breaches"] is None and rows["FR"]["subjects_affected"] is None
    assert rows["ALL"]["breaches"] == 6 and rows["ALL"]["median_hours_to_notify"] == 20.0
    text = breaches_table([vn] * 5 + [both], k=5).csv(5)
    fr = next(r for r in csv.DictReader(io.StringIO(text)) if r["country"] == "FR")
    assert fr["breaches"] == "<5"


def test_dsr_table_by_request_type() -> None:
    facts = [DsrFacts("erasure", "answered", completion_hours=10.0)] * 6 + [
        DsrFacts("erasure", "erasure_deferred"),
        DsrFacts("access", "answered", late=True, completion_hours=400.0),
    ]
    rows = {r["request_type"]: r for r in dsr_table(facts, k=5).rows}
    assert rows["erasure"]["requests"] == 7 and rows["erasure"]["answered"] == 6
    assert rows["erasure"]["erasure_deferred"] is None  # 1 < 5
    assert rows["access"]["requests"] is None and rows["ALL"]["requests"] == 8
    assert dsr_table(facts, k=1).rows[0]["answered_late"] == 1


def test_docs_carry_the_lifecycle_table() -> None:
    from pathlib import Path

    from onshore.core.cases.breaches import BREACHES

    text = (Path(__file__).parents[2] / "docs" / "breaches.md").read_text()
    inside = text.split("<!-- breach-diagram -->\n")[1].split("<!-- /breach-diagram -->")[0]
    assert inside.strip() == BREACHES.markdown()
