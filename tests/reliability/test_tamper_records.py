"""The record-level tamper matrix: every edit of a stored record row is detected by the read.

Each case edits the SQLite file of a region directly (a byte of a ciphertext, nonce or
wrapped key flipped; each metadata column edited; rows moved or swapped between records
and between regions), then every relevant path must refuse with ``store.integrity``
naming the region (and the record where the store still has it): ``get``, ``find``,
``records_of`` and ``erase``. Erase must delete nothing. The row is then restored and the
next case runs. The figures are printed with ``tests.support.soak.report``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from onshore.core.envelope import NONCE_SIZE, record_aad, sealed_aad, unwrap_key
from onshore.core.errors import OnshoreError, StoreIntegrityError
from onshore.services import keys as key_service
from onshore.services.vault import Vault
from tests.reliability.bind_rows import (
    delete_row,
    flip,
    open_vault,
    put_row,
    row,
    set_column,
)
from tests.support.soak import report, trials

pytestmark = pytest.mark.soak

VN = {"declared_residence": "VN"}
SG = {"declared_residence": "SG"}
PHONE_A = "+84912345678"


@dataclass
class World:
    base: Path
    vault: Vault
    a_old: str  # subject A's record sealed under kek:1 (rotated since), phone-indexed
    a_new: str  # subject A's record under kek:2
    b: str  # subject B's record (vn-hcm)
    c: str  # subject C's record (sg-1)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    vault = open_vault(tmp_path)
    a_old = vault.put("subject-a", "profile", {"phone": PHONE_A, "email": "a@x.vn"}, VN)
    key_service.rotate(vault.runtime, "vn-hcm")
    a_new = vault.put("subject-a", "note", {"text": "hello"}, VN)
    b = vault.put("subject-b", "profile", {"phone": "+84912345679"}, VN)
    c = vault.put("subject-c", "profile", {"phone": "+6591234567"}, SG)
    w = World(tmp_path, vault, a_old.record_id, a_new.record_id, b.record_id, c.record_id)
    yield w
    vault.close()


Check = Callable[[World], None]


def _refuses(action: Callable[[], Any], region: str, ids: set[str] | None) -> bool:
    """True when ``action`` raised ``store.integrity`` naming ``region`` (and, when ``ids``
    is given, one of those records)."""
    try:
        action()
    except StoreIntegrityError as exc:
        if exc.details.get("region") != region:
            return False
        return ids is None or exc.details.get("record_id") in ids
    except OnshoreError:
        return False
    return False


def _counts(w: World) -> list[int]:
    return [r.db.records.count() for r in w.vault.runtime.regions.values()]


def checks(w: World, region: str, ids: set[str], subject: str) -> dict[str, bool]:
    """Run every detecting path; True per path that refused as it must."""
    before = _counts(w)
    out = {
        "get": all(_refuses(lambda i=i: w.vault.get(i), region, {i}) for i in ids),
        "records_of": _refuses(lambda: w.vault.records_of(subject), region, ids),
        "erase": _refuses(lambda: w.vault.erase(subject), region, ids),
    }
    out["erase"] = out["erase"] and _counts(w) == before
    if subject == "subject-a":
        out["find"] = _refuses(lambda: w.vault.find(by={"phone_number": PHONE_A}), region, None)
    return out


def _plus_one_micro(stamp: str) -> str:
    at = datetime.fromisoformat(stamp) + timedelta(microseconds=1)
    return at.isoformat(timespec="microseconds")


def _edit_cases(w: World) -> list[tuple[str, str, Any]]:
    """(name, column, new value) edits of A's kek:1 row."""
    orig = row(w.base, "vn-hcm", w.a_old)
    b_row = row(w.base, "vn-hcm", w.b)
    cats = json.loads(orig["categories"])
    cases: list[tuple[str, str, Any]] = [
        ("subject_ref to B's", "subject_ref", b_row["subject_ref"]),
        ("subject_ref random", "subject_ref", random.randbytes(32)),
        ("kind", "kind", "note"),
        ("created_at +1us", "created_at", _plus_one_micro(orig["created_at"])),
        ("created_at to B's", "created_at", b_row["created_at"]),
        ("categories added", "categories", json.dumps([*cats, "health"])),
        ("categories removed", "categories", json.dumps(cats[:-1])),
        ("categories reordered", "categories", json.dumps(list(reversed(cats)))),
        ("key_id newer version", "key_id", "kek:2"),
        ("key_id never made", "key_id", "kek:9"),
        ("key_id another kind", "key_id", "index:1"),
        ("region column", "region", "sg-1"),
        ("terms dropped", "terms", orig["terms"][: orig["terms"][0] + 1]),
        ("terms from B", "terms", b_row["terms"]),
        ("wrapped_key from B", "wrapped_key", b_row["wrapped_key"]),
        ("nonce from B", "nonce", b_row["nonce"]),
        ("ciphertext from B", "ciphertext", b_row["ciphertext"]),
    ]
    for i in range(NONCE_SIZE):
        cases.append((f"nonce byte {i}", "nonce", flip(orig["nonce"], i)))
    rng = random.Random(11)
    for n in range(trials(24, 400)):
        pos = rng.randrange(len(orig["ciphertext"]))
        name = f"ciphertext byte {pos} (#{n})"
        cases.append((name, "ciphertext", flip(orig["ciphertext"], pos)))
    for n in range(trials(6, 60)):
        pos = rng.randrange(len(orig["wrapped_key"]))
        name = f"wrapped_key byte {pos} (#{n})"
        cases.append((name, "wrapped_key", flip(orig["wrapped_key"], pos)))
    return cases


def test_record_tamper_matrix(world: World) -> None:
    w = world
    results: dict[str, dict[str, bool]] = {}
    orig = row(w.base, "vn-hcm", w.a_old)
    for name, column, value in _edit_cases(w):
        set_column(w.base, "vn-hcm", w.a_old, column, value)
        results[name] = checks(w, "vn-hcm", {w.a_old}, "subject-a")
        put_row(w.base, "vn-hcm", orig)

    # the row renamed: the store's row under the new id fails; A's set is incomplete
    renamed = dict(orig, record_id="vn-hcm~" + "f" * 32)
    delete_row(w.base, "vn-hcm", w.a_old)
    put_row(w.base, "vn-hcm", renamed)
    results["record_id renamed"] = checks(w, "vn-hcm", {renamed["record_id"]}, "subject-a")
    # find searches the blind index, which still names the old id: the renamed row is out
    # of its reach (as a deleted one is); get, records_of and erase catch it, ledger audit
    # catches the missing row
    del results["record_id renamed"]["find"]
    delete_row(w.base, "vn-hcm", renamed["record_id"])
    put_row(w.base, "vn-hcm", orig)

    # rows swapped within a region: A's and B's contents under each other's ids
    b_orig = row(w.base, "vn-hcm", w.b)
    put_row(w.base, "vn-hcm", dict(b_orig, record_id=w.a_old))
    put_row(w.base, "vn-hcm", dict(orig, record_id=w.b))
    results["rows swapped A<->B"] = checks(w, "vn-hcm", {w.a_old, w.b}, "subject-a")
    results["rows swapped A<->B (B)"] = checks(w, "vn-hcm", {w.a_old, w.b}, "subject-b")
    put_row(w.base, "vn-hcm", orig)
    put_row(w.base, "vn-hcm", b_orig)

    # a row moved to the other region's store, as is and relabelled
    for label, moved in (("as is", orig), ("relabelled", dict(orig, region="sg-1"))):
        delete_row(w.base, "vn-hcm", w.a_old)
        put_row(w.base, "sg-1", moved)
        name = f"row moved vn-hcm -> sg-1 ({label})"
        results[name] = {
            "get": _refuses(lambda: w.vault.get(w.a_old), "sg-1", {w.a_old}),
            # vn-hcm's ledger says A has this record there: records_of and erase refuse
            "records_of": _refuses(lambda: w.vault.records_of("subject-a"), "vn-hcm", None),
            "erase": _refuses(lambda: w.vault.erase("subject-a"), "vn-hcm", None),
        }
        delete_row(w.base, "sg-1", w.a_old)
        put_row(w.base, "vn-hcm", orig)

    # ciphertexts swapped between regions (C's sg-1 payload into A's vn-hcm row)
    c_orig = row(w.base, "sg-1", w.c)
    for column in ("ciphertext", "wrapped_key", "nonce"):
        set_column(w.base, "vn-hcm", w.a_old, column, c_orig[column])
        results[f"{column} from sg-1"] = checks(w, "vn-hcm", {w.a_old}, "subject-a")
        put_row(w.base, "vn-hcm", orig)

    # after every case restored, everything reads again and nothing was erased
    assert w.vault.get(w.a_old).data["phone"] == PHONE_A
    assert len(w.vault.records_of("subject-a")) == 2
    assert _counts(w) == [3, 1]

    paths = sum(len(r) for r in results.values())
    detected = sum(ok for r in results.values() for ok in r.values())
    missed = sorted(f"{n}:{p}" for n, r in results.items() for p, ok in r.items() if not ok)
    report(
        "tamper.records",
        cases=len(results),
        checks=paths,
        detected=detected,
        rate=f"{100 * detected / paths:.1f}%",
    )
    assert not missed, missed


def _to_legacy(w: World, record_id: str) -> None:
    """Re-seal a row with the version 1 AAD (region, record id), as rows were before."""
    region = w.vault.runtime.regions["vn-hcm"]
    sealed = region.db.records.get(record_id)
    assert sealed is not None
    aead = AESGCM(unwrap_key(sealed.wrapped_key, "vn-hcm", region.keys.get(sealed.key_id)))
    plaintext = aead.decrypt(sealed.nonce, sealed.ciphertext, sealed_aad(sealed))
    nonce = random.randbytes(NONCE_SIZE)
    ciphertext = aead.encrypt(nonce, plaintext, record_aad("vn-hcm", record_id))
    set_column(w.base, "vn-hcm", record_id, "nonce", nonce)
    set_column(w.base, "vn-hcm", record_id, "ciphertext", ciphertext)


def test_rows_from_before_field_binding_still_read_and_bind_subject(world: World) -> None:
    w = world
    _to_legacy(w, w.a_old)
    assert w.vault.get(w.a_old).data["phone"] == PHONE_A  # old rows still read
    assert [r.record_id for r in w.vault.find(by={"phone_number": PHONE_A})] == [w.a_old]
    orig = row(w.base, "vn-hcm", w.a_old)
    b_row = row(w.base, "vn-hcm", w.b)
    for column, value in (
        ("subject_ref", b_row["subject_ref"]),
        ("kind", "note"),
        ("created_at", b_row["created_at"]),
    ):
        set_column(w.base, "vn-hcm", w.a_old, column, value)
        found = checks(w, "vn-hcm", {w.a_old}, "subject-a")
        assert all(found.values()), (column, found)
        put_row(w.base, "vn-hcm", orig)
