"""The console's policy page over real SQLite stores: the packs and each rule's status on the
day, and the explain form giving the decision the engine (and so the CLI and the API) gives."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from typing import Any

import pytest
from fastapi import FastAPI

from onshore.adapters.clock import FixedClock
from onshore.core.policy import EntityFacts, Facts
from onshore.services.vault import Vault
from tests.console.support import (
    START,
    TestClient,
    add_user,
    app,
    client,
    clock,
    fresh_name,
    server,
    sign_in,
    vault,
)

__all__ = ["app", "client", "clock", "server", "vault"]  # fixtures used here

HANOI_MIDNIGHT = "T00:00:00+07:00"


@pytest.fixture(scope="module")
def console_tables() -> dict[str, Any]:
    """The vn pack and the eu pack, with the deployment's entity incorporated in Viet Nam."""
    return {"deployment": {**_deployment(), "packs": ["vn", "eu"]}}


def _deployment() -> dict[str, Any]:
    from onshore.settings import default_config_dict

    found: dict[str, Any] = default_config_dict()["deployment"]
    found["checkpoint_interval_seconds"] = 0
    return found


@pytest.fixture
def reader(app: FastAPI, client: TestClient) -> TestClient:
    """An auditor, signed in."""
    name = fresh_name("auditor")
    add_user(app, name, ["auditor"])
    sign_in(client, name)
    return client


def rule_rows(page: str) -> dict[str, str]:
    """Rule id -> its status on the page (``data-status``)."""
    return dict(re.findall(r'<tr data-rule="([^"]+)" data-status="([^"]+)">', page))


def deciding(page: str) -> list[str]:
    block = re.search(r'<ul class="deciding">(.*?)</ul>', page, re.S)
    return re.findall(r'<li data-rule="([^"]+)">', block.group(1)) if block else []


def outcome(page: str) -> str:
    found = re.search(r'<span class="outcome">(\w+)</span>', page)
    assert found, "no decision on the page"
    return found.group(1).lower()


def test_packs_and_rule_status_today(vault: Vault, clock: FixedClock, reader: TestClient) -> None:
    clock.at = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)  # LCS 2025 applies from 2026-07-01
    try:
        page = reader.get("/console/policy")
    finally:
        clock.at = START
    assert page.status_code == 200, page.text
    engine = vault.runtime.engine
    status = rule_rows(page.text)
    assert set(status) == {r.id for r in engine.rules}
    for compiled in engine.rules:
        why = compiled.not_in_force(datetime(2026, 3, 1, 3, 0, tzinfo=UTC))
        expected = "in_force" if why is None else "not_yet" if "not yet" in why else "ended"
        assert status[compiled.id] == expected, compiled.id
    assert status["VN-LCS25-loc"] == "not_yet"
    assert status["VN-D53-26.2"] == "in_force"
    assert status["VN-D13-2.3"] == "ended"  # Decree 13 gave way to the PDPL on 2026-01-01
    row = re.search(r'<tr data-rule="VN-LCS25-loc".*?</tr>', page.text, re.S)
    assert row and "not yet in force" in row.group(0)
    rule = engine.rule("VN-LCS25-loc")
    assert unescape(rule.cite) in unescape(row.group(0))
    # each pack with its version, and the count of rules by status
    for pack in engine.packs:
        assert f'id="pack-{pack.id}"' in page.text
        assert f"({pack.id}, {pack.pack.jurisdiction}, version {pack.pack.version})" in page.text


def _ask(reader: TestClient, **fields: str) -> str:
    page = reader.get("/console/policy/explain", params=fields)
    assert page.status_code == 200, page.text
    return page.text


@pytest.mark.parametrize(
    ("fields", "facts"),
    [
        (  # Vietnamese personal data stored abroad by a Vietnamese social network
            {"op": "store", "subject": "VN", "categories": "phone_number, email",
             "region_country": "SG", "at": "2026-03-02"},
            {"subject_country": "VN", "categories": {"phone_number", "email"},
             "region_country": "SG"},
        ),
        (  # the same data kept in Viet Nam
            {"op": "store", "subject": "VN", "categories": "phone_number",
             "region_country": "VN", "at": "2026-03-02"},
            {"subject_country": "VN", "categories": {"phone_number"}, "region_country": "VN"},
        ),
        (  # Vietnamese data sent to Singapore: allowed, with a filing owed and a warning
            {"op": "transfer", "subject": "VN", "categories": "email",
             "destination_country": "SG", "at": "2026-03-02"},
            {"subject_country": "VN", "categories": {"email"}, "destination_country": "SG"},
        ),
        (  # an EU subject's data sent to Viet Nam, without a safeguard
            {"op": "transfer", "subject": "DE", "categories": "email",
             "destination_country": "VN", "at": "2026-03-02"},
            {"subject_country": "DE", "categories": {"email"}, "destination_country": "VN"},
        ),
        (  # ... and with standard contractual clauses, for another entity
            {"op": "transfer", "subject": "DE", "categories": "email",
             "destination_country": "VN", "artifacts": "scc_2021", "at": "2026-03-02",
             "entity_country": "DE", "sectors": ""},
            {"subject_country": "DE", "categories": {"email"}, "destination_country": "VN",
             "artifacts": {"scc_2021"}, "entity": EntityFacts("DE")},
        ),
    ],
)  # fmt: skip
def test_explain_gives_the_engines_decision(
    vault: Vault, reader: TestClient, fields: dict[str, str], facts: dict[str, Any]
) -> None:
    page = _ask(reader, **fields)
    runtime = vault.runtime
    entity = facts.pop("entity", runtime.entity)
    at = datetime.fromisoformat(fields["at"] + HANOI_MIDNIGHT)
    sets = {k: frozenset(v) if isinstance(v, set) else v for k, v in facts.items()}
    expected = runtime.engine.evaluate(fields["op"], Facts(entity, **sets), at)
    assert outcome(page) == expected.outcome.value
    assert deciding(page) == list(expected.deciding_rules)
    for rule_id in expected.deciding_rules:
        cite = runtime.engine.rule(rule_id).cite
        assert unescape(cite) in unescape(page)
    shown = re.findall(r'<ul class="obligations">(.*?)</ul>', page, re.S)
    owed = re.findall(r'<li data-rule="([^"]+)">', shown[0]) if shown else []
    assert owed == [o.rule_id for o in expected.obligations]
    for o in expected.obligations:  # due dates in the deployment's zone (Ha Noi)
        assert o.due is None or f'datetime="{o.due.isoformat()}"' in page
    for w in expected.warnings:
        assert unescape(w) in unescape(page)
    considered = re.findall(r'<li class="(?:applied|skipped)" data-rule="([^"]+)">', page)
    assert sorted(considered) == sorted(t.rule_id for t in expected.considered)
    # the form keeps what was asked
    assert f'value="{fields["categories"]}"' in page


def test_vn_data_abroad_is_denied_with_its_rules(reader: TestClient) -> None:
    page = _ask(reader, op="store", subject="VN", categories="political_opinion",
                region_country="SG", at="2026-03-02")  # fmt: skip
    assert outcome(page) == "deny"
    assert deciding(page)


def test_eu_subject_abroad_needs_a_safeguard(reader: TestClient) -> None:
    asked = {"op": "transfer", "subject": "DE", "categories": "email",
             "destination_country": "VN", "at": "2026-03-02"}  # fmt: skip
    page = _ask(reader, **asked)
    assert outcome(page) == "deny" and deciding(page) == ["EU-GDPR-44-49"]
    assert "GDPR" in page  # the citation
    page = _ask(reader, **asked, artifacts="scc_2021")
    assert outcome(page) == "allow" and deciding(page) == ["EU-GDPR-44-49"]


def test_bad_input_is_shown_next_to_the_form(reader: TestClient) -> None:
    answer = reader.get("/console/policy/explain", params={"op": "store", "categories": "nope"})
    assert answer.status_code == 400
    alert = re.search(r'<div class="error" role="alert" id="explain-problem">(.*?)</div>',
                      answer.text, re.S)  # fmt: skip
    assert alert and "input.unknown_category" in alert.group(1)
    assert 'value="nope"' in answer.text  # the form is kept for correcting
    answer = reader.get("/console/policy/explain", params={"op": "store", "subject": "Viet"})
    assert answer.status_code == 400 and "two-letter country code" in answer.text
    answer = reader.get("/console/policy/explain", params={"op": "fly"})
    assert answer.status_code == 400 and "op must be one of" in answer.text
    answer = reader.get("/console/policy/explain", params={"op": "store", "at": "tomorrow"})
    assert answer.status_code == 400 and "YYYY-MM-DD" in answer.text


def test_signed_out_is_sent_to_sign_in(client: TestClient) -> None:
    answer = client.get("/console/policy/explain", params={"op": "store"})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/sign-in?next=")


def test_policy_speaks_vietnamese(reader: TestClient) -> None:
    reader.cookies.set("onshore_lang", "vi")
    page = _ask(reader, op="store", subject="VN", categories="email", region_country="VN")
    assert "Giải thích một quyết định" in page and "Các gói đã nạp" in page
