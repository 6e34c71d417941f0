"""A breach through its lifecycle on SQLite: the discovery clock per law, the counts per
country without decrypting, the notifications, the late reason, the subject notice."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from onshore.adapters.clock import FixedClock
from onshore.core.errors import GuardFailed, InputError, RoleNotPermitted, StoreIntegrityError
from onshore.core.ledger import EventType
from onshore.services.breaches import BreachService
from onshore.services.vault import Vault

from .conftest import OPERATOR, REVIEWER, T0, intake


def test_clock_starts_at_discovery_per_law(svc: BreachService, ids: dict[str, list[str]]) -> None:
    opened = svc.intake(intake(scope={"subjects": ["vn-0", "fr-0"]}), principal=OPERATOR)
    data = opened.case.data
    assert data["entered_at"] == T0.isoformat() and data["discovered_at"].startswith(
        "2026-03-06T08"
    )
    owed = {(o["rule"], o["audience"]): o for o in data["owed"]}
    discovered = datetime.fromisoformat("2026-03-06T08:00:00+07:00")
    vn = owed[("VN-PDPL-breach", "authority")]
    assert datetime.fromisoformat(vn["due"]) == discovered + timedelta(hours=72)
    assert vn["to"] == "A05" and vn["country"] == "VN"
    eu = owed[("EU-GDPR-33", "authority")]
    assert datetime.fromisoformat(eu["due"]) == discovered + timedelta(hours=72)
    assert ("EU-GDPR-34", "subjects") not in owed  # not high risk
    assert opened.case.due_at == discovered + timedelta(hours=72)
    assert data["deadline"]["source"] in {"VN-PDPL-breach", "EU-GDPR-33"}


def test_discovery_is_bounded_by_entry(svc: BreachService) -> None:
    with pytest.raises(InputError, match="after the time of entry"):
        svc.intake(
            intake(discovered_at=(T0 + timedelta(minutes=1)).isoformat()), principal=OPERATOR
        )
    with pytest.raises(InputError):
        svc.intake(
            intake(occurred_at="2026-03-06T09:00:00+07:00"), principal=OPERATOR
        )  # occurred after discovery


def test_counts_per_country_across_regions_without_decrypting(
    svc: BreachService, vault: Vault, ids: dict[str, list[str]], tmp_path: Path
) -> None:
    # Make every VN record undecryptable: counting must not need to decrypt.
    with sqlite3.connect(tmp_path / "vn-hcm.db") as db:
        db.execute("UPDATE records SET ciphertext = zeroblob(length(ciphertext))")
    with pytest.raises(StoreIntegrityError):  # the vault cannot open them any more
        vault.get(ids["vn-1"][0])
    scope = {
        "subjects": ["vn-0", "vn-1", "fr-0", "nobody"],
        "record_ids": [ids["fr-1"][0], ids["vn-0"][0], "vn-hcm~" + "0" * 32],
    }
    case = svc.intake(intake(scope=scope), principal=OPERATOR).case
    affected = case.data["affected"]
    vn, fr = affected["by_country"]["VN"], affected["by_country"]["FR"]
    assert (vn["subjects"], vn["records"]) == (2, 3)  # vn-0 twice, vn-1 once
    assert (fr["subjects"], fr["records"]) == (2, 2)
    assert vn["regions"] == ["vn-hcm"] and fr["regions"] == ["eu-fra"]
    assert vn["categories"] == {"email": 1, "person_name": 2, "phone_number": 2}
    assert affected["unknown_record_ids"] == 1 and "SG" not in affected["by_country"]
    assert affected["scope"]["subjects"] == 4
    text = repr(case.data)
    assert "vn-0" not in text and "fr-0" not in text  # only keyed hashes are kept


def test_region_window_scope(svc: BreachService, ids: dict[str, list[str]]) -> None:
    window = {
        "regions": ["vn-hcm", "sg-1"],
        "from": (T0 - timedelta(hours=1)).isoformat(),
        "to": (T0 + timedelta(hours=1)).isoformat(),
    }
    case = svc.intake(intake(scope=window), principal=OPERATOR).case
    by = case.data["affected"]["by_country"]
    assert (by["VN"]["subjects"], by["VN"]["records"], by["SG"]["subjects"]) == (3, 4, 1)
    assert "FR" not in by and case.data["affected"]["total_subjects"] == 4
    later = {**window, "from": (T0 + timedelta(minutes=1)).isoformat()}
    case = svc.act(case.case_id, "assess", principal=OPERATOR)
    case = svc.act(case.case_id, "recount", principal=OPERATOR, note={"scope": later})
    assert case.data["affected"]["total_subjects"] == 0
    with pytest.raises(InputError):
        svc.intake(intake(reference="x", scope={"regions": ["mars-1"]}), principal=OPERATOR)


def test_missed_deadline_needs_a_reason(
    svc: BreachService, ids: dict[str, list[str]], clock: FixedClock
) -> None:
    body = intake(scope={"subjects": ["vn-0", "vn-2"]}, high_risk=True)
    case = svc.intake(body, principal=OPERATOR).case
    for action in ("assess", "draft"):
        case = svc.act(case.case_id, action, principal=OPERATOR)
    assert case.state == "drafted" and "contact" in case.data["draft"]["missing"]
    with pytest.raises(RoleNotPermitted):
        svc.act(case.case_id, "notify_authority", principal=OPERATOR)
    clock.at = case.due_at + timedelta(minutes=1)  # type: ignore[operator]
    with pytest.raises(GuardFailed, match="late_reason"):
        svc.act(case.case_id, "notify_authority", principal=REVIEWER)
    case = svc.act(
        case.case_id,
        "notify_authority",
        principal=REVIEWER,
        note={"late_reason": "the logs were only recovered on day 4"},
    )
    sent = case.data["notified"]
    assert sent["late"] is True and sent["rules"] == ["VN-PDPL-breach"]
    doc = sent["documents"][0]
    assert doc["contents"]["late_reason"] == "the logs were only recovered on day 4"
    assert doc["contents"]["approximate_subjects"] == 2 and case.due_at is None
    leaves = svc.cases.ledger(case.region).history(case.case_id)
    types = [e.leaf.type for e in leaves]
    assert types == [EventType.CASE_TRANSITION] * 4 + [EventType.REPORT_PUBLISHED]
    assert leaves[-1].index == sent["ledger_index"]
    assert svc.act(case.case_id, "close", principal=REVIEWER).state == "closed"


def test_on_time_needs_no_reason_and_subject_notice_is_settled(
    svc: BreachService, ids: dict[str, list[str]]
) -> None:
    body = intake(scope={"subjects": ["fr-0", "fr-1"]}, high_risk=True)
    case = svc.intake(body, principal=OPERATOR).case
    assert case.data["subject_notice_required"] == ["EU-GDPR-34"]
    details = {
        "contact": "DPO, dpo@example.com",
        "consequences": "phishing e-mails",
        "measures_taken": "bucket closed",
        "measures_proposed": "rotate keys",
        "subject_categories": ["customers"],
        "data_categories": ["email"],
    }
    for action, note in (("assess", {}), ("update", {"details": details}), ("draft", {})):
        case = svc.act(case.case_id, action, principal=OPERATOR, note=note)
    docs = svc.documents(case.case_id)
    gdpr33 = next(d for d in docs if d["rule"] == "EU-GDPR-33")
    assert gdpr33["missing"] == [] and gdpr33["contents"]["approximate_subjects"] == 2
    case = svc.act(case.case_id, "notify_authority", principal=REVIEWER)
    assert case.data["notified"]["late"] is False
    with pytest.raises(GuardFailed, match="EU-GDPR-34"):
        svc.act(case.case_id, "close", principal=REVIEWER)
    case = svc.act(
        case.case_id,
        "notify_subjects",
        principal=OPERATOR,
        note={"channel": "e-mail", "sent_to": 2},
    )
    assert case.data["subject_notice"]["rules"] == ["EU-GDPR-34"]
    assert svc.act(case.case_id, "close", principal=REVIEWER).state == "closed"
    html = svc.documents(case.case_id, "html")
    assert "DPO, dpo@example.com" in html and "NOT KNOWN YET" not in html


def test_dedupe_dismiss_and_history_without_subject_ids(svc: BreachService) -> None:
    first = svc.intake(intake(), principal=OPERATOR)
    again = svc.intake(intake(), principal=OPERATOR)
    assert first.created and not again.created and again.case.case_id == first.case.case_id
    cid = first.case.case_id
    svc.act(cid, "assess", principal=OPERATOR)
    svc.act(cid, "recount", principal=OPERATOR, note={"scope": {"subjects": ["vn-9"]}})
    with pytest.raises(GuardFailed):
        svc.act(cid, "dismiss", principal=REVIEWER)
    case = svc.act(cid, "dismiss", principal=REVIEWER, note={"reason": "encrypted laptop"})
    assert case.state == "not_notifiable" and case.due_at is None
    history = svc.cases.history(cid)
    assert "vn-9" not in repr([e.note for e in history])
    assert [e.action for e in history] == ["open", "assess", "recount", "dismiss"]


def test_ledger_holds_no_personal_data(
    svc: BreachService, ids: dict[str, list[str]], tmp_path: Path
) -> None:
    body = intake(scope={"subjects": ["vn-1"]}, details={"nature": "Nguyễn Văn An's laptop"})
    case = svc.intake(body, principal=OPERATOR).case
    for action in ("assess", "draft"):
        svc.act(case.case_id, action, principal=OPERATOR)
    svc.act(case.case_id, "notify_authority", principal=REVIEWER)
    region = case.region
    with sqlite3.connect(tmp_path / f"{region}.db") as db:
        blobs = [bytes(r[0]) for r in db.execute("SELECT body FROM ledger_payloads")]
        blobs += [bytes(r[0]) for r in db.execute("SELECT entry FROM ledger_leaves")]
    joined = b"\n".join(blobs)
    assert b"breach_notification" in joined
    for secret in ("Nguyễn", "vn-1", "INC-1", case.case_id):
        assert secret.encode() not in joined


def test_identifiers_match_through_the_blind_indexes(
    svc: BreachService, ids: dict[str, list[str]]
) -> None:
    leaked = {"phone_number": ["0912345670", "+84 912 345 672"], "email": ["C0@example.fr"]}
    case = svc.intake(intake(scope={"identifiers": leaked}), principal=OPERATOR).case
    by = case.data["affected"]["by_country"]
    assert {c: (v["subjects"], v["records"]) for c, v in by.items()} == {
        "FR": (1, 1),
        "VN": (2, 2),
    }
    assert case.data["affected"]["scope"]["identifiers"] == 3
    assert "0912345670" not in repr(case.data) and "C0@example" not in repr(case.data)
    case = svc.act(case.case_id, "assess", principal=OPERATOR)  # a recount from the hashes
    assert case.data["affected"]["total_subjects"] == 3
    with pytest.raises(InputError, match="phone_number"):
        svc.intake(
            intake(reference="x", scope={"identifiers": {"phone_number": ["abc"]}}),
            principal=OPERATOR,
        )
    with pytest.raises(InputError):
        svc.intake(
            intake(reference="y", scope={"identifiers": {"ip": ["1.2.3.4"]}}), principal=OPERATOR
        )
