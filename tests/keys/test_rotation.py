"""Rotation of every key kind: records written before and after read back and are found,
ledger proofs before and after verify, on the file store and with the kek in SoftHSM2."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from onshore.core import blind_index
from onshore.core.envelope import Sealer, sealed_aad, unseal
from onshore.core.errors import InputError, KeyMissing, KeyRotationIncomplete, SignatureError
from onshore.core.ledger.bundle import verify_bundle
from onshore.core.ledger.key_handoff import verify_key_chain
from onshore.ports import Case, LegalHold
from onshore.services import keys as kek_service
from onshore.services.key_rotation import rotate_key, signing_history, verify_signing_chain
from onshore.services.reindex import reindex, retire_index
from onshore.services.vault import Vault
from onshore.settings import Settings, default_config_dict
from tests.support.softhsm import SoftHsm

REGION = "vn-hcm"


@pytest.fixture(params=["file", "pkcs11", pytest.param("postgres", marks=pytest.mark.postgres)])
def vault(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Vault]:
    """A two-region vault on SQLite; vn-hcm's keys in files or in the SoftHSM2 token, or its
    records in PostgreSQL (keys in files)."""
    cfg: dict[str, Any] = default_config_dict()
    cfg["base_dir"] = str(tmp_path)
    cfg["regions"][REGION]["store"] = f"sqlite:///{tmp_path}/vn-hcm.db"
    if request.param == "postgres":
        cfg["regions"][REGION]["store"] = request.getfixturevalue("pg_url")
    cfg["regions"]["sg-1"]["store"] = f"sqlite:///{tmp_path}/sg-1.db"
    if request.param == "pkcs11":
        softhsm: SoftHsm = request.getfixturevalue("softhsm")
        cfg["regions"][REGION]["keys"] = softhsm.uri()
    with Vault.open(Settings.model_validate(cfg), create_keys=True) as opened:
        yield opened


def put(vault: Vault, n: int, tag: str) -> list[str]:
    """``n`` VN records with phone numbers and e-mails; their ids."""
    ids = []
    for i in range(n):
        data = {"phone": f"+849{tag}{i:06d}", "email": f"{tag}.{i}@example.vn", "name": "Lan"}
        receipt = vault.put(f"{tag}-{i}", "profile", data)
        assert receipt.region == REGION
        ids.append(receipt.record_id)
    return ids


def check_readable(vault: Vault, ids: list[str], tag: str) -> None:
    """Every record reads back, is found by each identifier and by its subject."""
    for i, record_id in enumerate(ids):
        assert vault.get(record_id).data["email"] == f"{tag}.{i}@example.vn"
        by_phone = vault.find(by={"phone_number": f"+849{tag}{i:06d}"})
        assert [r.record_id for r in by_phone] == [record_id]
        both = vault.find(
            by={"email": f"{tag}.{i}@example.vn", "phone_number": f"+849{tag}{i:06d}"}
        )
        assert [r.record_id for r in both] == [record_id]
        assert [r.record_id for r in vault.records_of(f"{tag}-{i}")] == [record_id]


def check_proofs(vault: Vault, ids: list[str]) -> None:
    log = vault.ledger(REGION)
    for record_id in ids:
        bundle = log.prove(record_id)
        verify_bundle(bundle, log.verifier_key())
    assert log.verify().ok, log.verify().problems


def test_kek_rotation(vault: Vault) -> None:
    before = put(vault, 3, "10")
    new = rotate_key(vault.runtime, REGION, "kek", actor="test")
    assert new.key_id == "kek:2"
    after = put(vault, 3, "11")
    records = vault.runtime.regions[REGION].db.records
    assert {records.get(i).key_id for i in before} == {"kek:1"}  # type: ignore[union-attr]
    assert {records.get(i).key_id for i in after} == {"kek:2"}  # type: ignore[union-attr]
    check_readable(vault, before, "10")
    check_readable(vault, after, "11")
    assert kek_service.rewrap(vault.runtime, REGION) == 3
    assert {records.get(i).key_id for i in before} == {"kek:2"}  # type: ignore[union-attr]
    check_readable(vault, before, "10")
    check_proofs(vault, before + after)


def test_index_rotation_finds_records_before_during_and_after(vault: Vault) -> None:
    keys = vault.runtime.regions[REGION].keys
    before = put(vault, 4, "20")
    check_readable(vault, before, "20")
    assert rotate_key(vault.runtime, REGION, "index").key_id == "index:2"
    during = put(vault, 2, "21")
    check_readable(vault, before, "20")  # under index:1, still found
    check_readable(vault, during, "21")  # under index:2
    report = reindex(vault.runtime, REGION, page_size=2)
    assert (report.moved, report.stuck, report.records) == (4, [], 6)
    check_readable(vault, before, "20")
    check_readable(vault, during, "21")
    assert reindex(vault.runtime, REGION).moved == 0  # idempotent
    retire_index(vault.runtime, REGION, "index:1", actor="test")
    assert [v.key_id for v in keys.versions("index")] == ["index:2"]
    with pytest.raises(KeyMissing):
        keys.get("index:1")
    check_readable(vault, before, "20")
    check_readable(vault, during, "21")
    after = put(vault, 2, "22")
    check_readable(vault, after, "22")
    assert vault.erase("20-0").count == 1
    assert vault.find(by={"email": "20.0@example.vn"}) == []
    check_proofs(vault, before + during + after)


def test_reindex_moves_legal_holds(vault: Vault) -> None:
    region = vault.runtime.regions[REGION]
    [record_id] = put(vault, 1, "30")
    old_ref = region.db.records.get(record_id).subject_ref  # type: ignore[union-attr]
    now = datetime.now(UTC)
    old_key = region.keys.current("index").material
    old_term = blind_index.term(old_key, "phone_number", "+84930000000")
    scope = {REGION: {"terms": [old_term.hex()], "refs": [old_ref.hex()]}}
    with region.db.transaction():
        region.db.cases.create(Case("case-1", "authority_request", "open", REGION, now, now,
                                    None, {"scope_terms": scope}))  # fmt: skip
        region.db.cases.put_hold(LegalHold(old_ref, "case-1", now, now + timedelta(days=90)))
    rotate_key(vault.runtime, REGION, "index")
    report = reindex(vault.runtime, REGION)
    assert (report.holds, report.cases) == (1, 1)
    new_key = region.keys.current("index").material
    case = region.db.cases.get("case-1")
    assert case is not None and case.version == 2
    assert case.data["scope_terms"][REGION] == {
        "terms": [old_term.hex(), blind_index.term(new_key, "phone_number", "+84930000000").hex()],
        "refs": [old_ref.hex(), blind_index.subject_ref(new_key, "30-0").hex()],
    }
    retire_index(vault.runtime, REGION, "index:1")
    outcome = vault.erase("30-0")
    assert outcome.count == 0 and outcome.retained == {REGION: [record_id]}
    assert vault.get(record_id).data["name"] == "Lan"


def test_a_record_whose_terms_cannot_be_moved_keeps_the_old_key_live(vault: Vault) -> None:
    region = vault.runtime.regions[REGION]
    ids = put(vault, 2, "40")
    odd = region.db.records.get(ids[0])
    assert odd is not None
    # a term no field of the record reproduces (e.g. made by an older normalisation), sealed
    # into the row's AAD as the vault would have written it: not tampering, just unmovable
    plaintext = unseal(odd, region.keys.get(odd.key_id))
    with_term = replace(odd, index_terms=(*odd.index_terms, secrets.token_bytes(32)))
    sealer = Sealer(region.keys.current("kek"), region.name)
    key_id, wrapped, nonce, ct = sealer.seal(odd.record_id, plaintext, aad=sealed_aad(with_term))
    with region.db.transaction():
        region.db.records.put(
            replace(with_term, key_id=key_id, wrapped_key=wrapped, nonce=nonce, ciphertext=ct)
        )
    rotate_key(vault.runtime, REGION, "index")
    report = reindex(vault.runtime, REGION)
    assert (report.moved, report.stuck) == (1, [ids[0]])
    with pytest.raises(KeyRotationIncomplete) as info:
        retire_index(vault.runtime, REGION, "index:1")
    assert info.value.code == "keys.rotation_incomplete"
    assert [v.key_id for v in region.keys.versions("index")] == ["index:1", "index:2"]
    check_readable(vault, ids, "40")


def test_ledger_hmac_rotation(vault: Vault) -> None:
    log = vault.ledger(REGION)
    before = put(vault, 2, "50")
    log.checkpoint(datetime.now(UTC))
    assert rotate_key(vault.runtime, REGION, "ledger-hmac").key_id == "ledger-hmac:2"
    after = put(vault, 2, "51")
    assert {log.history(i)[0].leaf.key_version for i in before} == {1}
    assert {log.history(i)[0].leaf.key_version for i in after} == {2}
    check_readable(vault, before, "50")
    check_readable(vault, after, "51")
    check_proofs(vault, before + after)


def test_a_record_placed_before_a_ledger_hmac_rotation_is_erased_cleanly(vault: Vault) -> None:
    """A record keeps the ledger-hmac version it was placed under: its erasure (or transfer)
    after a rotation is a leaf under that version, so the audit pairs it with the placement
    (it used to report ``placement.no_record`` for an erased record)."""
    log = vault.ledger(REGION)
    erased, kept = put(vault, 2, "52")
    rotate_key(vault.runtime, REGION, "ledger-hmac")
    vault.erase("52-0", actor="test")
    assert [e.leaf.key_version for e in log.history(erased)] == [1, 1]
    report = log.audit(vault.runtime.region(REGION).db.records)
    assert report.ok, report.problems
    assert vault.get(kept).data["email"] == "52.1@example.vn"


def test_ledger_signing_rotation_is_announced_by_the_old_key(vault: Vault) -> None:
    log = vault.ledger(REGION)
    before = put(vault, 2, "60")
    log.checkpoint(datetime.now(UTC))
    old_bundle = log.prove(before[0])
    old_vkey = log.verifier_key()
    new = rotate_key(vault.runtime, REGION, "ledger-signing", actor="test")
    assert new.key_id == "ledger-signing:2"
    new_vkey = log.verifier_key()
    assert new_vkey != old_vkey
    assert signing_history(vault.runtime, REGION) == [old_vkey, new_vkey]
    after = put(vault, 2, "61")
    log.checkpoint(datetime.now(UTC))
    verify_bundle(old_bundle, old_vkey)  # proofs made before stay valid
    check_proofs(vault, before + after)  # proofs made after verify under the new key
    with pytest.raises(SignatureError):
        verify_bundle(log.prove(after[0]), old_vkey)
    chain = verify_signing_chain(vault.runtime, REGION, old_vkey)
    assert (chain.trusted, chain.handoffs) == (new_vkey, 1)
    # trust cannot start from a key that never signed, nor skip the handoff
    with pytest.raises(SignatureError):
        verify_signing_chain(vault.runtime, REGION, new_vkey)
    notes = [row[2] for row in vault.runtime.regions[REGION].db.ledger.checkpoints()]
    handoff = next(i for i, n in enumerate(notes) if b"onshore-key-handoff" in n)
    with pytest.raises(SignatureError, match=f"checkpoint #{handoff + 1}"):
        verify_key_chain(notes[:handoff] + notes[handoff + 1 :], old_vkey)
    # rotating again chains on
    third = rotate_key(vault.runtime, REGION, "ledger-signing")
    put(vault, 1, "62")
    log.checkpoint(datetime.now(UTC))
    chain = verify_signing_chain(vault.runtime, REGION, old_vkey)
    assert chain.handoffs == 2 and chain.trusted == log.verifier_key(third.key_id)
    assert log.verify().ok


def test_an_interrupted_signing_rotation_is_completed(vault: Vault) -> None:
    log = vault.ledger(REGION)
    put(vault, 1, "70")
    log.checkpoint(datetime.now(UTC))
    old_vkey = log.verifier_key()
    vault.runtime.regions[REGION].keys.rotate("ledger-signing")  # stopped before the handoff
    again = rotate_key(vault.runtime, REGION, "ledger-signing")
    assert again.key_id == "ledger-signing:2"  # completed, not rotated twice
    put(vault, 1, "71")
    log.checkpoint(datetime.now(UTC))
    assert verify_signing_chain(vault.runtime, REGION, old_vkey).trusted == log.verifier_key()


def test_unknown_key_kind_is_refused(vault: Vault) -> None:
    with pytest.raises(InputError, match="rotatable keys are"):
        rotate_key(vault.runtime, REGION, "wrong")
