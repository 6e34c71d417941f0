"""A SQLite store's files hold no identifier in any writing, only ciphertext and keyed terms."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path

from onshore.adapters import open_database
from onshore.core import blind_index
from onshore.core.envelope import Sealer, unseal
from onshore.ports import KeyVersion, SealedRecord

USERS = [
    {"phone": "0912 345 678", "email": "an.nguyen@example.vn", "cccd": "079203004512"},
    {"phone": "+84 98 765 4321", "email": "binh.tran@example.vn", "cccd": "001099012345"},
]
CATEGORIES = {
    "phone": frozenset({"phone_number"}),
    "email": frozenset({"email"}),
    "cccd": frozenset({"national_id"}),
}


def writings(user: dict[str, str]) -> list[bytes]:
    phone = blind_index.normalise("phone_number", user["phone"])
    assert phone is not None
    values = [phone, phone.removeprefix("+"), "0" + phone[3:], user["phone"], user["email"]]
    values += [user["email"].upper(), user["cccd"]]
    out = []
    for v in values:
        out += [v.encode("utf-8"), v.encode("utf-16-le")]
    return out


def test_store_files_contain_no_identifier(tmp_path: Path) -> None:
    kek = KeyVersion("kek", 1, secrets.token_bytes(32))
    index_key = secrets.token_bytes(32)
    db = open_database(f"sqlite:///{tmp_path / 'vn-hcm.db'}")
    sealer = Sealer(kek, "vn-hcm")
    records = []
    for n, user in enumerate(USERS):
        record_id = f"r{n}"
        key_id, wrapped, nonce, ct = sealer.seal(record_id, json.dumps(user).encode())
        records.append(
            SealedRecord(
                record_id=record_id,
                region="vn-hcm",
                subject_ref=blind_index.subject_ref(index_key, user["email"]),
                kind="profile",
                created_at=datetime.now(UTC),
                categories=("phone_number", "email", "national_id"),
                key_id=key_id,
                wrapped_key=wrapped,
                nonce=nonce,
                ciphertext=ct,
                index_terms=blind_index.terms_for(user, CATEGORIES, index_key),
            )
        )
    db.records.put_many(records)

    # Found by any writing of the phone number, and opens with the key.
    term = blind_index.lookup_term(index_key, "phone_number", "+84912345678")
    assert term is not None
    (found,) = db.records.find(term)
    assert json.loads(unseal(found, kek))["email"] == "an.nguyen@example.vn"
    db.close()

    blobs = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert blobs, "the store wrote no files"
    for user in USERS:
        for needle in writings(user):
            assert needle not in blobs, f"{needle!r} found in the store's files"
