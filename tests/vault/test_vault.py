"""The vault end to end on real SQLite: placement, sealing, blind-index search, bad input."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest

from onshore.core.errors import (
    ConfigError,
    InputError,
    MissingSubject,
    NoPermittedRegion,
    NotSerialisable,
    PolicyDenied,
    RecordNotFound,
    RecordTooLarge,
    StoreUnavailable,
    UnknownIdentifier,
    UnknownRegion,
)
from onshore.services import keys as key_service
from onshore.services.demo import demo_records, generate_users, residency_audit
from onshore.services.vault import RecordInput, Vault

VN_PHONE = "+84912345678"
VN_PROFILE = {
    "full_name": "Nguyễn Văn An",
    "phone": VN_PHONE,
    "email": "An.Nguyen@Example.vn",
    "cccd": "079203001234",
}


def test_vn_subject_lands_in_vn_others_by_preference(vault: Vault) -> None:
    vn = vault.put("u-vn", "profile", VN_PROFILE, {"phone_number": VN_PHONE})
    sg = vault.put("u-sg", "profile", {"phone": "+6581234567"}, {"phone_number": "+6581234567"})
    us = vault.put("u-us", "profile", {"phone": "+12015550123"}, {"phone_number": "+12015550123"})
    assert (vn.region, sg.region, us.region) == ("vn-hcm", "sg-1", "sg-1")
    assert vault.runtime.regions["sg-1"].db.records.get(vn.record_id) is None
    record = vault.get(vn.record_id)
    assert record.data == VN_PROFILE and record.subject_country == "VN"
    assert "phone_number" in record.categories


def test_receipt_points_at_the_placement_leaf(vault: Vault) -> None:
    first = vault.put("u1", "profile", VN_PROFILE, {"phone_number": VN_PHONE})
    second = vault.put("u2", "profile", VN_PROFILE, {"phone_number": VN_PHONE})
    assert (first.ledger_index, second.ledger_index) == (0, 1)
    assert vault.runtime.regions["vn-hcm"].db.ledger.size() == 2


def test_store_files_hold_no_vn_identifier_bytes(vault: Vault, tmp_path: Path) -> None:
    users = generate_users(90, seed=3)
    vault.put_many(demo_records(users))
    result = residency_audit(vault, users)
    assert result.ok, (result.misplaced[:3], result.byte_leaks[:3])
    assert result.files_scanned >= 2
    vn_users = [u for u in users if u.country == "VN"]
    assert vn_users and result.placed[("VN", "vn-hcm")] == 3 * len(vn_users)
    assert result.placed[("VN", "sg-1")] == 0
    # the byte check itself: every file of both regions, names too
    blobs = b"".join(p.read_bytes() for p in tmp_path.rglob("*.db*"))
    for u in vn_users:
        for needle in (*u.identifiers(), u.name):
            assert needle.encode() not in blobs


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ({"phone_number": "0912 345 678"}, 1),
        ({"phone_number": "+84 91 234 5678"}, 1),
        ({"phone_number": "84912345678"}, 1),
        ({"email": "an.nguyen@example.VN "}, 1),
        ({"national_id": "079 203 001 234"}, 1),
        ({"phone_number": "0912 345 679"}, 0),
        ({"phone_number": VN_PHONE, "email": "other@example.vn"}, 0),
    ],
)
def test_find_through_blind_index(vault: Vault, by: dict[str, str], expected: int) -> None:
    receipt = vault.put(
        "u-vn",
        "profile",
        VN_PROFILE,
        {"phone_number": VN_PHONE},
        categories={
            "full_name": ["person_name"],
            "phone": ["phone_number"],
            "email": ["email"],
            "cccd": ["national_id"],
        },
    )
    found = vault.find(by=by)
    assert [r.record_id for r in found] == [receipt.record_id] * expected


def test_find_rejects_unknown_identifier_and_bad_value(vault: Vault) -> None:
    with pytest.raises(UnknownIdentifier):
        vault.find(by={"religion": "x"})
    with pytest.raises(InputError):
        vault.find(by={"phone_number": "not a phone"})
    with pytest.raises(InputError):
        vault.find(by={})


def test_landline_writing_is_found(vault: Vault) -> None:
    vault.put(
        "u-l",
        "profile",
        {"phone": "+842838221234"},
        {"phone_number": "+842838221234"},
        categories={"phone": ["phone_number"]},
    )
    assert len(vault.find(by={"phone_number": "(028) 3822 1234"})) == 1


def test_idempotent_put_same_record_id(vault: Vault) -> None:
    for _ in range(3):
        vault.put("u1", "profile", VN_PROFILE, {"phone_number": VN_PHONE}, record_id="r-1")
    assert vault.runtime.regions["vn-hcm"].db.records.count() == 1


def test_cross_region_read_needs_purpose_and_is_on_the_ledger(vault: Vault) -> None:
    r = vault.put("u1", "profile", VN_PROFILE, {"phone_number": VN_PHONE})
    size = vault.runtime.regions["vn-hcm"].db.ledger.size()
    with pytest.raises(InputError):
        vault.get(r.record_id, caller_region="sg-1")
    assert vault.runtime.regions["vn-hcm"].db.ledger.size() == size
    vault.get(r.record_id, caller_region="sg-1", purpose="fraud-review")
    assert vault.runtime.regions["vn-hcm"].db.ledger.size() == size + 1
    vault.get(r.record_id)  # an in-region read is not a cross-region event
    assert vault.runtime.regions["vn-hcm"].db.ledger.size() == size + 1
    with pytest.raises(UnknownRegion):
        vault.get(r.record_id, caller_region="mars-1", purpose="x")


@pytest.mark.parametrize(
    ("subject", "data", "error"),
    [
        ("", {"a": 1}, MissingSubject),
        ("   ", {"a": 1}, MissingSubject),
        (None, {"a": 1}, MissingSubject),
        ("u", {"a": {1, 2}}, NotSerialisable),
        ("u", {"a": b"bytes"}, NotSerialisable),
        ("u", {"a": math.nan}, NotSerialisable),
        ("u", {"a": "x" * 300_000}, RecordTooLarge),
        ("u", ["not", "a", "mapping"], InputError),
    ],
)
def test_bad_records_are_typed_errors_and_write_nothing(
    vault: Vault, subject: object, data: object, error: type[Exception]
) -> None:
    good = RecordInput("ok", "profile", VN_PROFILE, {"phone_number": VN_PHONE})
    bad = RecordInput(subject, "profile", data)  # type: ignore[arg-type]
    with pytest.raises(error) as info:
        vault.put_many([good, bad])
    assert info.value.code  # a stable code
    for region in vault.runtime.regions.values():
        assert region.db.records.count() == 0
        assert region.db.ledger.size() == 0


def test_record_size_limit_is_configurable(vault_factory: Callable[..., Vault]) -> None:
    small = vault_factory(max_record_bytes=200)
    with pytest.raises(RecordTooLarge) as info:
        small.put("u", "note", {"text": "x" * 300})
    assert info.value.details["limit"] == 200


def test_unknown_signal_and_category_rejected(vault: Vault) -> None:
    with pytest.raises(InputError):
        vault.put("u", "p", {"a": 1}, {"citizenship": "VN"})
    with pytest.raises(InputError):
        vault.put("u", "p", {"a": 1}, categories={"a": ["favourite_colour"]})


def test_no_permitted_region_refuses_and_writes_nothing(
    vault_factory: Callable[..., Vault], tmp_path: Path
) -> None:
    only_sg = vault_factory(
        regions={"sg-1": {"country": "SG", "store": f"sqlite:///{tmp_path}/only-sg.db"}}
    )
    only_sg.put("u-sg", "profile", {"phone": "+6581234567"}, {"phone_number": "+6581234567"})
    with pytest.raises(NoPermittedRegion) as info:
        only_sg.put_many(
            [
                RecordInput(
                    "u-sg2", "profile", {"phone": "+6581234568"}, {"phone_number": "+6581234568"}
                ),
                RecordInput("u-vn", "profile", VN_PROFILE, {"phone_number": VN_PHONE}),
            ]
        )
    assert info.value.code == "residency.no_permitted_region"
    assert "VN-D53-26.2" in str(info.value.details)
    assert only_sg.runtime.regions["sg-1"].db.records.count() == 1


def _two_regions() -> list[RecordInput]:
    return [
        RecordInput("u-vn", "profile", VN_PROFILE, {"phone_number": VN_PHONE}, record_id="a"),
        RecordInput(
            "u-sg",
            "profile",
            {"phone": "+6581234567"},
            {"phone_number": "+6581234567"},
            record_id="b",
        ),
    ]


@pytest.mark.parametrize("region", ["sg-1", "vn-hcm"])
def test_failure_in_one_region_before_the_commit_writes_nothing_anywhere(
    vault: Vault, monkeypatch: pytest.MonkeyPatch, region: str
) -> None:
    db = vault.runtime.regions[region].db

    def down(*args: object) -> None:
        raise StoreUnavailable(f"{region} is down")

    # vn-hcm stages its share; sg-1, the coordinator, writes its share with the decision,
    # after checking which of its records are stored already
    if region == "vn-hcm":
        monkeypatch.setattr(db.batches, "stage", down)
    else:
        monkeypatch.setattr(db.records, "existing", down)
    with pytest.raises(StoreUnavailable):
        vault.put_many(_two_regions())
    for r in vault.runtime.regions.values():
        assert r.db.records.count() == 0
        assert r.db.ledger.size() == 0
        assert r.db.batches.shares() == [] and r.db.batches.decisions() == []


def test_failure_after_the_commit_completes_when_the_region_is_back(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    # sg-1 (the coordinator) commits its share with the decision; vn-hcm applies after it
    vn = vault.runtime.regions["vn-hcm"].db

    def down(records: object) -> None:
        raise StoreUnavailable("vn-hcm is down")

    monkeypatch.setattr(vn.records, "put_many", down)
    with pytest.raises(StoreUnavailable) as info:
        vault.put_many(_two_regions())
    assert info.value.details["reason"] == "batch_in_doubt"
    assert vn.records.count() == 0 and len(vn.batches.shares()) == 1  # pending, invisible
    with pytest.raises(RecordNotFound):
        vault.get("a")
    monkeypatch.undo()
    report = vault.recover()
    assert len(report.rolled_forward) == 1 and report.decisions_forgotten == 1
    assert vault.get("a").subject_id == "u-vn"
    for r in vault.runtime.regions.values():
        assert (r.db.records.count(), r.db.ledger.size()) == (1, 1)
        assert r.db.batches.shares() == [] and r.db.batches.decisions() == []
    # the retry the caller makes returns the original receipts and adds no leaf
    receipts = vault.put_many(_two_regions())
    assert [(x.record_id, x.region, x.ledger_index) for x in receipts] == [
        ("a", "vn-hcm", 0),
        ("b", "sg-1", 0),
    ]
    assert [r.db.ledger.size() for r in vault.runtime.regions.values()] == [1, 1]


def test_erase_removes_every_record_and_leaves_ledger_leaves(vault: Vault) -> None:
    vault.put("u1", "profile", VN_PROFILE, {"phone_number": VN_PHONE})
    vault.put("u1", "login", {"last_login_ip": "14.160.0.1"}, {"phone_number": VN_PHONE})
    vault.put("u2", "profile", {"phone": "+84912345679"}, {"phone_number": "+84912345679"})
    outcome = vault.erase("u1")
    assert outcome.count == 2 and set(outcome.erased) == {"vn-hcm"}
    assert vault.records_of("u1") == []
    assert len(vault.records_of("u2")) == 1
    assert vault.runtime.regions["vn-hcm"].db.ledger.size() == 5
    with pytest.raises(MissingSubject):
        vault.erase("")


def test_transfer_obeys_policy(vault: Vault) -> None:
    sg = vault.put("u-sg", "profile", {"phone": "+6581234567"}, {"phone_number": "+6581234567"})
    moved = vault.transfer(sg.record_id, "vn-hcm", purpose="consolidation")
    assert moved.region == "vn-hcm"
    assert vault.get(sg.record_id).region == "vn-hcm"
    assert vault.runtime.regions["sg-1"].db.records.get(sg.record_id) is None
    vn = vault.put("u-vn", "profile", VN_PROFILE, {"phone_number": VN_PHONE})
    with pytest.raises(PolicyDenied) as info:
        vault.transfer(vn.record_id, "sg-1", purpose="analytics")
    assert "VN-D53-26.2" in str(info.value.details)
    assert vault.get(vn.record_id).region == "vn-hcm"
    with pytest.raises(UnknownRegion):
        vault.transfer(vn.record_id, "nowhere", purpose="x")
    with pytest.raises(RecordNotFound):
        vault.transfer("missing", "sg-1", purpose="x")


def test_key_rotation_keeps_records_readable_and_rewraps(vault: Vault) -> None:
    receipts = vault.put_many(
        [
            RecordInput(
                f"u{i}", "profile", {"phone": f"+8491234{i:04d}"}, {"phone_number": VN_PHONE}
            )
            for i in range(30)
        ]
    )
    new = key_service.rotate(vault.runtime, "vn-hcm")
    assert new.version == 2
    fresh = vault.put("u-new", "profile", VN_PROFILE, {"phone_number": VN_PHONE})
    store = vault.runtime.regions["vn-hcm"].db.records
    assert store.get(fresh.record_id).key_id == "kek:2"  # type: ignore[union-attr]
    assert store.get(receipts[0].record_id).key_id == "kek:1"  # type: ignore[union-attr]
    assert vault.get(receipts[0].record_id).data["phone"] == "+8491234" + "0000"
    changed = key_service.rewrap(vault.runtime, "vn-hcm", page_size=7)
    assert changed == 30
    assert {s.key_id for s in store.page(None, 100)} == {"kek:2"}
    assert all(vault.get(r.record_id) for r in receipts)
    assert key_service.rewrap(vault.runtime, "vn-hcm") == 0


def test_missing_key_material_fails_at_start_up(tmp_path: Path) -> None:
    from tests.vault.conftest import make_settings

    settings = make_settings(tmp_path)
    Vault.open(settings, create_keys=True).close()
    (
        settings.keys_dir("sg-1")
        / next(iter(sorted(p.name for p in settings.keys_dir("sg-1").iterdir())))
    ).unlink()
    with pytest.raises(ConfigError, match=r"regions\.sg-1\.keys_dir"):
        Vault.open(settings)


def test_unknown_backend_fails_at_start_up(tmp_path: Path) -> None:
    from onshore.settings import load_settings

    path = tmp_path / "onshore.toml"
    path.write_text(
        '[deployment]\ndefault_region = "a"\n[regions.a]\ncountry = "VN"\nstore = "redis://x"\n'
    )
    with pytest.raises(ConfigError, match=r"regions\.a\.store"):
        Vault.open(load_settings(path, env={}))


def test_concurrent_batches_spanning_regions_do_not_deadlock(vault: Vault) -> None:
    import threading

    vn = ("+84912345678", "VN")
    sg = ("+6581234567", "SG")

    def writer(first: tuple[str, str], second: tuple[str, str], tag: str) -> None:
        for i in range(25):
            vault.put_many(
                [
                    RecordInput(
                        f"{tag}-{i}-a", "profile", {"phone": first[0]}, {"phone_number": first[0]}
                    ),
                    RecordInput(
                        f"{tag}-{i}-b", "profile", {"phone": second[0]}, {"phone_number": second[0]}
                    ),
                ]
            )

    threads = [
        threading.Thread(target=writer, args=(vn, sg, "x"), daemon=True),
        threading.Thread(target=writer, args=(sg, vn, "y"), daemon=True),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "writers deadlocked"
    assert sum(r.db.records.count() for r in vault.runtime.regions.values()) == 100
