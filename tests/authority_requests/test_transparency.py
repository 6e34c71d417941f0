"""Transparency report: counts against a hand-computed fixture, suppression, CSV, ledger."""
# ruff: noqa: E501  (fixture tables read better one case per line)

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from onshore.adapters.clock import FixedClock
from onshore.core.cases.transparency import RequestFacts, preservation_table, requests_table
from onshore.core.ledger import EventType
from onshore.services.authority_requests import AuthorityRequestService
from onshore.services.transparency import publish
from onshore.services.vault import Vault
from tests.cases.conftest import who

from .conftest import T0, seed
from .test_flow import produce, receive, to_review

F = RequestFacts
# Hand-computed fixture: 7 VN requests, 2 SG requests, 3 VN preservations.
FIXTURE = [
    F("VN", "warrant", accounts=2, produced=True, records=4, content=True, ack_hours=1, completion_hours=10),
    F("VN", "warrant", accounts=1, produced=True, records=1, content=False, ack_hours=2, completion_hours=20),
    F("VN", "court_order", accounts=3, produced=True, records=2, content=True, ndo=True, ack_hours=3,
      completion_hours=30, notified=True),
    F("VN", "production_order", accounts=1, produced=True, records=0, ack_hours=4, completion_hours=40),
    F("VN", "production_order", accounts=1, rejected=True, reason_code="overbroad", ack_hours=5,
      completion_hours=50),
    F("VN", "emergency", accounts=1, produced=True, records=3, content=False, ack_hours=0.5,
      completion_hours=2, notified=True),
    F("VN", "warrant", accounts=5, rejected=True, reason_code="cross_border_blocked",
      cross_border_blocked=True, ack_hours=6),
    F("SG", "warrant", accounts=1, produced=True, records=1, ack_hours=1, completion_hours=5),
    F("SG", "mutual_legal_assistance", accounts=2, rejected=True, reason_code="no_data"),
    F("VN", "preservation", preserved_accounts=2, hold_extended=True),
    F("VN", "preservation", preserved_accounts=1),
    F("VN", "preservation", preserved_accounts=4, followed_by_order=True),
]  # fmt: skip


def row(table: object, country: str) -> dict:
    return next(r for r in table.rows if r["country"] == country)  # type: ignore[attr-defined]


def test_counts_match_the_hand_computed_fixture() -> None:
    vn = row(requests_table(FIXTURE, k=1), "VN")
    assert vn == {
        "country": "VN", "requests": 7, "accounts_specified": 14, "some_data_produced": 4,
        "some_data_produced_pct": 57.1, "content": 2, "non_content": 2, "no_data": 1,
        "rejected": 2, "with_non_disclosure_order": 1, "users_notified": 2,
        "cross_border_blocked": 1, "median_acknowledgement_hours": 3.0,
        "median_completion_hours": 25.0, "suppressed": [],
    }  # fmt: skip
    everything = row(requests_table(FIXTURE, k=1), "ALL")
    assert everything["requests"] == 9 and everything["no_data"] == 2
    assert everything["some_data_produced"] == 5 and everything["some_data_produced_pct"] == 55.6
    pres = row(preservation_table(FIXTURE, k=1), "VN")
    assert (pres["requests"], pres["accounts_preserved"], pres["extended"],
            pres["followed_by_order"]) == (3, 7, 1, 1)  # fmt: skip


def test_small_counts_are_suppressed() -> None:
    table = requests_table(FIXTURE, k=3)
    sg = row(table, "SG")  # 2 requests < 3: the whole row
    assert sg["requests"] is None and sg["median_completion_hours"] is None
    assert "requests" in sg["suppressed"]
    vn = row(table, "VN")
    assert vn["requests"] == 7 and vn["some_data_produced"] == 4
    assert vn["rejected"] is None and vn["content"] is None and vn["no_data"] is None
    assert vn["cross_border_blocked"] is None and "cross_border_blocked" in vn["suppressed"]
    assert vn["accounts_specified"] == 14
    text = table.csv(3)
    parsed = list(csv.reader(io.StringIO(text)))
    assert text.endswith("\r\n") and parsed[0][0] == "country"
    sg_line = next(p for p in parsed if p[0] == "SG")
    assert sg_line[1] == "<3"
    zero_k = requests_table([F("VN", "warrant")] * 3, k=5)
    assert row(zero_k, "VN")["requests"] is None  # 3 < 5


def test_publish_writes_files_and_ledgers_the_hash(
    svc: AuthorityRequestService, vault: Vault, clock: FixedClock, tmp_path: Path
) -> None:
    seed(vault)
    cid = receive(svc)
    to_review(svc, cid)
    svc.act(cid, "approve", principal=who("rita", "legal_reviewer"))
    clock.at = T0 + timedelta(hours=5)
    produce(svc, cid)
    rej = receive(svc)
    clock.at = T0 + timedelta(hours=6)
    svc.act(rej, "authenticate", principal=who("olga", "operator"))
    svc.act(
        rej, "reject", principal=who("rita", "legal_reviewer"), note={"reason_code": "overbroad"}
    )
    out = tmp_path / "report"
    published = publish(
        svc, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC), out, k=1
    )
    doc = json.loads((out / "transparency.json").read_text())
    vn = next(r for r in doc["tables"][0]["rows"] if r["country"] == "VN")
    assert vn["requests"] == 2 and vn["some_data_produced"] == 1 and vn["rejected"] == 1
    # completion: 5 h (produced) and 1 h (received at +5 h, rejected at +6 h); ack 0 h and 1 h
    assert vn["median_completion_hours"] == 3.0 and vn["median_acknowledgement_hours"] == 0.5
    for name, digest in published.sha256.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    log = svc.cases.ledger(published.region)
    [entry] = log.history(published.record_ref)
    assert entry.leaf.type == EventType.REPORT_PUBLISHED and entry.index == published.ledger_index
    other = publish(svc, datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC),
                    tmp_path / "sg", country="SG", k=1)  # fmt: skip
    assert json.loads((tmp_path / "sg" / "transparency.json").read_text())["country"] == "SG"
    assert other.sha256 != published.sha256
