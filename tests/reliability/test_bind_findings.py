"""Findings 2, 5 and 6 of issue #11, each as a test that failed before the fix.

2. metadata outside the ciphertext was unprotected (subject_ref, categories, created_at);
5. keys could be swapped or silently replaced (kek swap, index swap, init after a loss);
6. one region down took the others with it (and the error did not name the region).
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from onshore.cli.errors import EXIT_ERROR, EXIT_OK
from onshore.core.errors import (
    KeyMissing,
    KeysMismatch,
    PartialResults,
    StoreIntegrityError,
    StoreUnavailable,
)
from onshore.server.app import create_app
from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from tests.reliability.bind_rows import open_vault, row, set_column
from tests.reliability.cli_run import run_cli, write_config
from tests.server.conftest import TestClient
from tests.vault.conftest import make_settings

VN = {"declared_residence": "VN"}
SG = {"declared_residence": "SG"}


def _integrity(info: pytest.ExceptionInfo[StoreIntegrityError], region: str, rid: str) -> None:
    assert info.value.code == "store.integrity"
    assert info.value.details["region"] == region
    assert info.value.details["record_id"] == rid


# -- finding 2: every stored field bound ------------------------------------------------


def test_subject_ref_edited_to_another_subject(tmp_path: Path) -> None:
    vault = open_vault(tmp_path)
    a = vault.put("subject-a", "profile", {"phone": "+84912345678"}, VN).record_id
    b = vault.put("subject-b", "profile", {"phone": "+84912345679"}, VN).record_id
    set_column(tmp_path, "vn-hcm", a, "subject_ref", row(tmp_path, "vn-hcm", b)["subject_ref"])

    with pytest.raises(StoreIntegrityError) as info:  # was: [] (A's record silently missing)
        vault.records_of("subject-a")
    _integrity(info, "vn-hcm", a)
    with pytest.raises(StoreIntegrityError) as info:  # was: erased nothing, said 0
        vault.erase("subject-a")
    _integrity(info, "vn-hcm", a)
    with pytest.raises(StoreIntegrityError) as info:  # was: deleted A's record
        vault.erase("subject-b")
    _integrity(info, "vn-hcm", a)
    assert vault.runtime.regions["vn-hcm"].db.records.count() == 2  # nothing erased
    with pytest.raises(StoreIntegrityError) as info:
        vault.get(a)
    _integrity(info, "vn-hcm", a)
    vault.close()


def test_categories_and_created_at_edits_are_refused(tmp_path: Path) -> None:
    vault = open_vault(tmp_path)
    rid = vault.put("u1", "profile", {"email": "lan@example.vn"}, VN).record_id
    original = row(tmp_path, "vn-hcm", rid)
    set_column(tmp_path, "vn-hcm", rid, "categories", '["email","health"]')
    with pytest.raises(StoreIntegrityError) as info:  # was: returned the edited categories
        vault.get(rid)
    _integrity(info, "vn-hcm", rid)
    set_column(tmp_path, "vn-hcm", rid, "categories", original["categories"])
    set_column(tmp_path, "vn-hcm", rid, "created_at", "2020-01-01T00:00:00.000000+00:00")
    with pytest.raises(StoreIntegrityError) as info:  # was: returned the edited time
        vault.get(rid)
    _integrity(info, "vn-hcm", rid)
    with pytest.raises(StoreIntegrityError):
        vault.find(by={"email": "lan@example.vn"})
    set_column(tmp_path, "vn-hcm", rid, "created_at", original["created_at"])
    assert vault.get(rid).categories == ("email",)
    vault.close()


def test_subject_ref_edited_away_then_the_other_row_deleted(tmp_path: Path) -> None:
    """The ledger cross-check names a record the store no longer returns for its subject."""
    vault = open_vault(tmp_path)
    a = vault.put("subject-a", "profile", {"x": 1}, VN).record_id
    set_column(tmp_path, "vn-hcm", a, "subject_ref", b"\x00" * 32)
    with pytest.raises(StoreIntegrityError) as info:
        vault.erase("subject-a")
    _integrity(info, "vn-hcm", a)
    vault.close()


def test_transfers_and_erasure_raise_no_false_alarm(tmp_path: Path) -> None:
    """The ledger cross-check follows transfers in and out, and erasures."""
    vault = open_vault(tmp_path)
    rid = vault.put("u-t", "note", {"text": "hi"}, SG).record_id
    vault.put("u-t", "note", {"text": "second"}, SG)
    vault.transfer(rid, "vn-hcm", purpose="consolidation")
    assert sorted(r.region for r in vault.records_of("u-t")) == ["sg-1", "vn-hcm"]
    vault.transfer(rid, "sg-1", purpose="consolidation")
    assert sorted(r.region for r in vault.records_of("u-t")) == ["sg-1", "sg-1"]
    assert vault.erase("u-t").count == 2
    assert vault.records_of("u-t") == []
    vault.close()


@pytest.mark.postgres
def test_subject_ref_edit_on_postgres(tmp_path: Path, pg_url_factory: Callable[[], str]) -> None:
    vn_url, sg_url = pg_url_factory(), pg_url_factory()
    regions = {
        "vn-hcm": {"country": "VN", "store": vn_url},
        "sg-1": {"country": "SG", "store": sg_url},
    }
    with Vault.open(make_settings(tmp_path, regions=regions), create_keys=True) as vault:
        a = vault.put("subject-a", "profile", {"x": 1}, VN).record_id
        b = vault.put("subject-b", "profile", {"x": 2}, VN).record_id
        with psycopg.connect(vn_url, autocommit=True) as conn:
            conn.execute(
                "UPDATE records SET subject_ref = (SELECT subject_ref FROM records "
                "WHERE record_id = %s) WHERE record_id = %s",
                (b, a),
            )
        for action in (lambda: vault.erase("subject-b"), lambda: vault.erase("subject-a")):
            with pytest.raises(StoreIntegrityError) as info:
                action()
            _integrity(info, "vn-hcm", a)
        assert vault.runtime.regions["vn-hcm"].db.records.count() == 2


# -- finding 5: key custody --------------------------------------------------------------


def _key_file(vault: Vault, region: str, name: str) -> Path:
    return vault.runtime.settings.keys_dir(region) / f"{name}.v1.key"


@pytest.mark.parametrize("name", ["kek", "index"])
def test_swapped_keys_between_regions_are_refused(tmp_path: Path, name: str) -> None:
    vault = open_vault(tmp_path)
    vn = vault.put("u-vn", "profile", {"phone": "+84912345678"}, VN).record_id
    sg = vault.put("u-sg", "profile", {"phone": "+6591234567"}, SG).record_id
    a, b = _key_file(vault, "vn-hcm", name), _key_file(vault, "sg-1", name)
    vault.close()
    swap = tmp_path / "swap"
    shutil.move(a, swap)
    shutil.move(b, a)
    shutil.move(swap, b)
    with pytest.raises(KeysMismatch) as info:  # was: puts sealed under the other's key
        open_vault(tmp_path, create_keys=False)
    assert info.value.code == "keys.mismatch"
    assert info.value.details["region"] in ("vn-hcm", "sg-1")
    assert info.value.details["key"] == name
    # swapped back, everything reads
    shutil.move(a, swap)
    shutil.move(b, a)
    shutil.move(swap, b)
    with open_vault(tmp_path, create_keys=False) as again:
        assert again.get(vn).region == "vn-hcm" and again.get(sg).region == "sg-1"
        assert [r.record_id for r in again.find(by={"phone_number": "+84912345678"})] == [vn]


def test_init_never_replaces_a_lost_key(tmp_path: Path) -> None:
    vault = open_vault(tmp_path)
    rid = vault.put("u1", "profile", {"x": 1}, VN).record_id
    kek = _key_file(vault, "vn-hcm", "kek")
    settings = vault.runtime.settings
    vault.close()
    saved = kek.read_bytes()
    kek.unlink()
    with pytest.raises(KeyMissing) as info:  # was: a fresh key, every record lost for good
        open_runtime(settings, create_keys=True)
    assert info.value.code == "keys.missing"
    assert info.value.details["region"] == "vn-hcm"
    assert "keys import" in info.value.message
    assert not kek.exists()
    kek.write_bytes(saved)
    with open_vault(tmp_path, create_keys=False) as again:
        assert again.get(rid).data == {"x": 1}


# -- finding 6: one region down ----------------------------------------------------------


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_region_down_at_start_leaves_the_others_serving(tmp_path: Path) -> None:
    with open_vault(tmp_path) as vault:
        sg = vault.put("u-sg", "profile", {"phone": "+6591234567"}, SG).record_id
        vault.put("u-sg", "note", {"x": 1}, SG, record_id="caller-chosen-id")
    assert sg.startswith("sg-1~")
    cfg = make_settings(tmp_path).model_dump(mode="json")
    cfg["regions"]["vn-hcm"]["store"] = f"postgresql://postgres@127.0.0.1:{_closed_port()}/x"
    from onshore.settings import Settings

    settings = Settings.model_validate(cfg)
    with Vault.open(settings) as vault:  # was: StoreUnavailable at start, details {}
        assert vault.get(sg).region == "sg-1"
        # an id without a region tag: the regions that are down are skipped
        assert vault.get("caller-chosen-id").region == "sg-1"
        assert vault.runtime.down() == {"vn-hcm": "store.unavailable"}
        with pytest.raises(PartialResults) as partial:
            vault.records_of("u-sg")
        assert partial.value.details["regions"] == ["vn-hcm"]
        assert len(partial.value.records) == 2
        with pytest.raises(PartialResults) as partial:
            vault.find(by={"phone_number": "+6591234567"})
        assert partial.value.details["region"] == "vn-hcm"
        assert [r.record_id for r in partial.value.records] == [sg]
        with pytest.raises(StoreUnavailable) as info:
            vault.get("vn-hcm~" + "0" * 32)
        assert info.value.details["region"] == "vn-hcm"
        with pytest.raises(StoreUnavailable) as info:
            vault.put("u-vn", "profile", {"x": 1}, VN)
        assert info.value.details["region"] == "vn-hcm"
    with TestClient(create_app(settings)) as client:  # the server starts on its own
        health = client.get("/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["down"] == ["vn-hcm"]


def test_cli_starts_with_a_region_down(tmp_path: Path) -> None:
    with open_vault(tmp_path) as vault:
        sg = vault.put("u-sg", "profile", {"phone": "+6591234567"}, SG).record_id
    config = write_config(
        tmp_path,
        {
            "vn-hcm": f"postgresql://postgres@127.0.0.1:{_closed_port()}/x",
            "sg-1": f"sqlite:///{tmp_path}/sg-1.db",
        },
    )
    code, out, _err = run_cli(["get", sg, "--config", str(config)])
    assert code == EXIT_OK, _err
    assert sg in out
    code, out, err = run_cli(["find", "--phone", "+6591234567", "--json", "--config", str(config)])
    assert code == EXIT_ERROR
    assert sg in out and "store.partial" in err and "vn-hcm" in err
