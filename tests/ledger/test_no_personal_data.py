"""The ledger holds no personal data: grep every ledger table and the SQLite file for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from onshore.adapters import open_database
from onshore.core.errors import PayloadRejected
from onshore.core.ledger import EventType, LedgerEvent
from onshore.services.ledger import Ledger
from tests.ledger.conftest import REGION, T0, ledger_keys

# Fictitious subjects: Vietnamese mobile numbers, e-mails, CCCD numbers, passport numbers.
SUBJECTS = [
    ("+84912345678", "nguyen.van.a@example.vn", "079203001234", "C1234567"),
    ("+84987654321", "tran.thi.b@example.com", "001199004321", "B7654321"),
    ("0903111222", "le.van.c@example.org", "036185009876", "N2468013"),
]


def needles() -> list[bytes]:
    out = []
    for phone, email, cccd, passport in SUBJECTS:
        out += [phone, phone.lstrip("+"), phone[-9:], email, email.split("@")[0], cccd, passport]
    return [n.encode() for n in out]


def test_raw_identifiers_are_nowhere_in_the_ledger(tmp_path: Path) -> None:
    path = tmp_path / "vn-hcm.db"
    db = open_database(f"sqlite:///{path}")
    log = Ledger(REGION, db, ledger_keys())
    events = []
    for phone, email, cccd, passport in SUBJECTS:
        for subject in (phone, email, cccd, passport):
            events.append(
                LedgerEvent(
                    EventType.RECORD_PLACED,
                    T0,
                    REGION,
                    record_id=f"{subject}/profile",
                    subject_id=subject,
                    actor=email,
                    payload={
                        "kind": "profile",
                        "categories": ["phone_number", "email", "national_id"],
                        "rules": ["VN-D53-26.3"],
                        "refs": {"request": phone, "contact": email, "document": cccd},
                    },
                )
            )
    log.append(events)
    log.checkpoint(T0)
    log.prove(f"{SUBJECTS[0][0]}/profile")
    tables = [
        "ledger_leaves", "ledger_payloads", "ledger_refs", "ledger_tiles",
        "ledger_checkpoints", "ledger_meta",
    ]  # fmt: skip
    dumped = b""
    for table in tables:
        for row in db.execute(f"SELECT * FROM {table}").fetchall():  # type: ignore[attr-defined]
            dumped += b"|".join(v if isinstance(v, bytes) else str(v).encode() for v in row)
    assert len(dumped) > 1000
    db.close()
    files = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("vn-hcm.db"))
    for needle in needles():
        assert needle not in dumped, needle
        assert needle not in files, needle


@pytest.mark.parametrize(
    "payload",
    [
        {"kind": "+84912345678"},
        {"kind": "nguyen.van.a@example.vn"},
        {"kind": "079203001234"},
        {"reason": "call 0912 345 678"},
        {"rules": ["VN-1", "0912345678"]},
        {"categories": ["email", "not-a-category"]},
        {"subject": "Nguyen Van A"},
        {"phone": "+84912345678"},
        {"residency": {"decided_by": "phone_number", "value": "+84912345678"}},
        {"count": "12"},
        {"refs": {"case": 12345678}},
    ],
)
def test_payloads_carrying_identifiers_are_rejected(payload: dict[str, object]) -> None:
    log = Ledger(REGION, open_database("memory://"), ledger_keys())
    with pytest.raises(PayloadRejected) as err:
        log.append([LedgerEvent(EventType.RECORD_PLACED, T0, REGION, payload=payload)])
    assert err.value.code == "ledger.payload_rejected"
    assert log.store.size() == 0


def test_the_vaults_placement_payload_is_accepted() -> None:
    log = Ledger(REGION, open_database("memory://"), ledger_keys())
    payload = {
        "kind": "profile",
        "categories": ["email", "phone_number"],
        "subject_country": "VN",
        "rules": ["VN-D53-26.3", "house-VN-home"],
        "residency": {"decided_by": "phone_number", "confidence": 0.9},
    }
    assert log.append(
        [LedgerEvent(EventType.RECORD_PLACED, T0, REGION, "r1", "s1", None, payload)]
    ) == [0]
