"""Transfers through the vault: the register counts them from the ledgers, a transfer that
owes a dossier opens exactly one case, the dossier is drafted in its form's sections, filing
writes a ledger leaf and starts the 6-month update clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from onshore.adapters.clock import FixedClock
from onshore.core.cases.kinds.transfer_assessment import TRANSFER_ASSESSMENT
from onshore.core.errors import CaseNotFound, GuardFailed, InputError, RoleNotPermitted
from onshore.core.ledger import EventType
from onshore.core.ledger.leaf import decode_leaf
from onshore.core.transfers.dossier import FORMS, digest
from onshore.core.transfers.register import NOT_RECORDED
from onshore.services import transfer_assessments as ta
from onshore.services.transfer_assessments import TransferAssessments
from onshore.services.transfer_register import register
from onshore.services.vault import Vault

from .conftest import OPERATOR, REVIEWER, T0, vn_record


def _cases(svc: TransferAssessments) -> list:
    return list(svc.cases.iter_cases(kind="transfer_assessment"))


def test_the_register_counts_transfers_from_the_ledgers(vault: Vault, clock: FixedClock) -> None:
    a = vn_record(vault, "vn-a")
    a2 = vn_record(vault, "vn-a", phone="+84912345670")
    b = vn_record(vault, "vn-b")
    vault.transfer(a, "sg-1", purpose="analytics")
    clock.at += timedelta(days=2)
    vault.transfer(a2, "sg-1", purpose="analytics")
    vault.transfer(b, "sg-1", purpose="support")
    sg = vault.put("sg-x", "profile", {"email": "x@example.sg"}, {"declared_residence": "SG"})
    vault.transfer(sg.record_id, "vn-hcm", purpose="support")  # the other way: its own route
    rows = {(r.from_region, r.destination, r.purpose): r for r in register(vault.runtime)}
    assert set(rows) == {
        ("vn-hcm", "SG", "analytics"),
        ("vn-hcm", "SG", "support"),
        ("sg-1", "VN", "support"),
    }
    analytics = rows["vn-hcm", "SG", "analytics"]
    assert (analytics.records, analytics.subjects) == (2, 1)  # one subject, two records
    assert analytics.categories is not None and "email" in analytics.categories
    assert analytics.first_at == T0 and analytics.last_at == T0 + timedelta(days=2)
    assert "VN-D356-17-18" in analytics.rules
    only_vn = register(vault.runtime, country="VN")
    assert [(r.from_region, r.records) for r in only_vn] == [("sg-1", 1)]
    later = register(vault.runtime, since=T0 + timedelta(days=1))
    assert [(r.from_region, r.purpose, r.records) for r in later] == [
        ("sg-1", "support", 1),
        ("vn-hcm", "analytics", 1),
        ("vn-hcm", "support", 1),
    ]


def test_old_leaves_without_the_new_fields_read_not_recorded(vault: Vault) -> None:
    from onshore.core.ledger import LedgerEvent
    from onshore.services.ledger import Ledger

    region = vault.runtime.region("vn-hcm")
    old = LedgerEvent(
        EventType.RECORD_TRANSFERRED,
        T0,
        "vn-hcm",
        record_id="r-old",
        subject_id="s-old",
        payload={"from_region": "vn-hcm", "to_region": "sg-1", "rules": []},
    )
    with region.db.transaction():
        Ledger("vn-hcm", region.db, region.keys).append([old])
    [row] = register(vault.runtime)
    got = row.to_dict()
    assert got["categories"] == NOT_RECORDED and got["purpose"] == NOT_RECORDED
    assert got["destination"] == "SG" and got["records"] == 1  # the country from the config


def test_a_transfer_owing_a_dossier_opens_one_case(vault: Vault) -> None:
    svc = TransferAssessments(vault.runtime)
    assert _cases(svc) == []
    for s in ("vn-1", "vn-2", "vn-3"):
        vault.transfer(vn_record(vault, s), "sg-1", purpose="analytics")
    [case] = _cases(svc)
    assert case.state == "owed" and case.region == "vn-hcm"
    assert case.data["destination"] == "SG" and case.data["artifact"] == "tia_dossier"
    assert case.data["rules"] == ["VN-D356-17-18"] and case.data["authority"] == "A05"
    assert case.due_at is not None and case.due_at.date() == (T0 + timedelta(days=60)).date()
    assert svc.sync() and not any(o.created for o in svc.sync())  # nothing more to open
    vault.transfer(vn_record(vault, "vn-4"), "eu-fra", purpose="analytics")
    assert {c.data["destination"] for c in _cases(svc)} == {"SG", "FR"}


def test_no_case_when_nothing_is_owed(vault: Vault) -> None:
    sg = vault.put("sg-x", "profile", {"email": "x@example.sg"}, {"declared_residence": "SG"})
    vault.transfer(sg.record_id, "vn-hcm", purpose="support")
    assert _cases(TransferAssessments(vault.runtime)) == []


def test_a_failure_to_open_never_fails_the_transfer(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("store down")

    monkeypatch.setattr(ta, "_open", broken)
    rid = vn_record(vault, "vn-1")
    assert vault.transfer(rid, "sg-1", purpose="analytics").region == "sg-1"
    svc = TransferAssessments(vault.runtime)
    assert _cases(svc) == []
    monkeypatch.undo()
    assert [o.created for o in svc.sync()] == [True]  # sync catches up from the register


def test_dossier_drafted_filed_on_the_ledger_and_reminded(vault: Vault, clock: FixedClock) -> None:
    vault.transfer(vn_record(vault, "vn-1"), "sg-1", purpose="analytics")
    svc = TransferAssessments(vault.runtime)
    [case] = _cases(svc)
    doc = svc.dossier(case.case_id)
    assert doc["form"] == "vn-d356-form09"
    assert [s["id"] for s in doc["sections"]] == [s[0] for s in FORMS["vn-d356-form09"][2]]
    status = {s["id"]: s["status"] for s in doc["sections"]}
    assert status["sender"] == status["categories"] == status["volume"] == "known"
    assert status["recipient"] == status["protection_officer"] == "to_complete"
    assert {"recipient", "contract", "protection_officer"} <= set(doc["to_complete"])
    sender = next(s for s in doc["sections"] if s["id"] == "sender")
    assert "Example Shop Pte Ltd" in sender["value"] and sender["source"] == "settings"
    md = svc.dossier(case.case_id, "markdown")
    assert "TO COMPLETE" in md and "Form 09" in md and "1 records of 1 data subjects" in md
    html = svc.dossier(case.case_id, "html")
    assert 'class="to-complete"' in html
    note = {"facts": {"recipient": "Example Analytics <b>Pte</b>", "contract": "DPA 2026-01"}}
    svc.act(case.case_id, "update", principal=OPERATOR, note=note)
    assert "&lt;b&gt;Pte&lt;/b&gt;" in svc.dossier(case.case_id, "html")
    drafted = svc.act(case.case_id, "draft", principal=OPERATOR)
    assert "recipient" not in drafted.data["draft"]["to_complete"]
    with pytest.raises(RoleNotPermitted):
        svc.act(case.case_id, "file", principal=OPERATOR)
    clock.at += timedelta(days=10)
    filed = svc.act(case.case_id, "file", principal=REVIEWER, note={"channel": "A05 portal"})
    assert filed.state == "filed" and filed.data["filed"]["late"] is False
    # the 6-month update clock (PDP Law art. 22) from the filing
    filed_at = T0 + timedelta(days=10)
    assert filed.due_at is not None and filed.due_at.date() == datetime(2026, 9, 16).date()
    assert filed.data["update_due"].startswith("2026-09-16")
    region = vault.runtime.region("vn-hcm")
    index = filed.data["filed"]["ledger_index"]
    [(_, entry, _)] = region.db.ledger.leaves(index, index + 1)
    leaf = decode_leaf(entry)
    assert leaf.type is EventType.REPORT_PUBLISHED and leaf.at == filed_at
    payload = json.loads(region.db.ledger.payload(leaf.payload_commitment) or b"{}")
    assert payload["report_kind"] == "transfer_dossier" and payload["country"] == "SG"
    as_filed = svc.dossier(case.case_id)
    assert digest(as_filed) == filed.data["filed"]["sha256"]
    assert "dossier" not in svc.view(filed)["data"]["filed"]
    clock.at += timedelta(days=100)
    reviewed = svc.act(case.case_id, "review", principal=REVIEWER)
    assert reviewed.due_at is not None and reviewed.due_at.date() == datetime(2026, 12, 24).date()
    with pytest.raises(GuardFailed):
        svc.act(case.case_id, "close", principal=REVIEWER)
    closed = svc.act(case.case_id, "close", principal=REVIEWER, note={"reason": "ended"})
    assert closed.state == "closed" and closed.due_at is None


def test_typed_errors(vault: Vault) -> None:
    svc = TransferAssessments(vault.runtime)
    with pytest.raises(InputError):
        svc.intake({}, principal=OPERATOR)
    with pytest.raises(CaseNotFound):
        svc.dossier("transfer-nope")
    vault.transfer(vn_record(vault, "vn-1"), "sg-1", purpose="analytics")
    [case] = _cases(svc)
    with pytest.raises(InputError):
        svc.dossier(case.case_id, "pdf")
    with pytest.raises(InputError):
        svc.act(case.case_id, "update", principal=OPERATOR, note={"facts": {"actor": "x"}})
    assert TRANSFER_ASSESSMENT.effect_names() == ta.BOUND_EFFECTS
    assert datetime.now(UTC) > T0


def test_docs_carry_the_lifecycle_table() -> None:
    from pathlib import Path

    from onshore.core.cases.transfer_assessments import TRANSFER_ASSESSMENTS

    text = (Path(__file__).parents[2] / "docs" / "transfers.md").read_text()
    inside = text.split("<!-- transfer-diagram -->\n")[1].split("<!-- /transfer-diagram -->")[0]
    assert inside.strip() == TRANSFER_ASSESSMENTS.markdown()
