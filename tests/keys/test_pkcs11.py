"""The PKCS#11 key store on SoftHSM2: a region's kek in the token, records round-trip.

The kek is generated inside the token, sensitive and non-extractable: its value cannot be
read or wrapped out. Index and ledger keys are sealed by the token in the keys directory.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pkcs11
import pytest
from pkcs11 import Attribute, Mechanism, ObjectClass

from onshore.adapters.pkcs11_keystore import SEALED_MAGIC, Pkcs11KeyStore
from onshore.adapters.pkcs11_uri import parse_pkcs11_uri
from onshore.core.envelope import unwrap_key, wrap_key
from onshore.core.errors import ConfigError, KeyStoreUnavailable
from onshore.core.ledger.bundle import verify_bundle
from onshore.services.vault import Vault
from onshore.settings import Settings, default_config_dict
from tests.support.softhsm import PIN_ENV, SoftHsm


def hsm_settings(base: Path, uri: str) -> Settings:
    cfg: dict[str, Any] = default_config_dict()
    cfg["base_dir"] = str(base)
    cfg["regions"]["vn-hcm"]["store"] = f"sqlite:///{base}/vn-hcm.db"
    cfg["regions"]["vn-hcm"]["keys"] = uri
    cfg["regions"]["sg-1"]["store"] = f"sqlite:///{base}/sg-1.db"
    return Settings.model_validate(cfg)


def token_session(softhsm: SoftHsm) -> Any:
    token = pkcs11.lib(softhsm.module).get_token(token_label=softhsm.label)
    try:
        return token.open(rw=True, user_pin=softhsm.pin)
    except pkcs11.exceptions.UserAlreadyLoggedIn:
        return token.open(rw=True)


def test_vault_round_trip_with_the_kek_in_the_hsm(softhsm: SoftHsm, tmp_path: Path) -> None:
    uri = softhsm.uri()
    settings = hsm_settings(tmp_path, uri)
    with Vault.open(settings, create_keys=True) as vault:
        keys = vault.runtime.regions["vn-hcm"].keys
        assert isinstance(keys, Pkcs11KeyStore)
        kek = keys.current("kek")
        assert kek.material == b"" and kek.cipher is not None
        ids = [
            vault.put(
                f"u{i}", "profile", {"phone": f"+8491234567{i}", "name": f"Lan {i}"}
            ).record_id
            for i in range(5)
        ]
        receipt = vault.put_many(
            [{"subject": "u9", "kind": "profile", "data": {"email": "lan@example.vn"}}]
        )[0]
        assert receipt.region == "vn-hcm"
        assert vault.get(ids[2]).data["name"] == "Lan 2"
        assert [r.record_id for r in vault.find(by={"phone_number": "0912345673"})] == [ids[3]]
        bundle = vault.ledger("vn-hcm").prove(ids[0])
        verify_bundle(bundle, bundle.public_key)
        stored = vault.runtime.regions["vn-hcm"].db.records.get(ids[0])
        assert stored is not None and stored.key_id == "kek:1"
    # a new process (runtime) with the same token and directory reads everything back
    with Vault.open(hsm_settings(tmp_path, uri)) as again:
        assert again.get(ids[4]).data == {"phone": "+84912345674", "name": "Lan 4"}
        assert [r.record_id for r in again.find(by={"email": "LAN@example.vn"})] == [
            receipt.record_id
        ]
        assert again.ledger("vn-hcm").verify().ok


def test_the_kek_is_sensitive_and_never_leaves_the_token(
    softhsm: SoftHsm, hsm_store: Pkcs11KeyStore
) -> None:
    hsm_store.create("kek")
    assert hsm_store.kek_attributes(1) == {
        "sensitive": True, "extractable": False,
        "never_extractable": True, "always_sensitive": True,
    }  # fmt: skip
    session = token_session(softhsm)
    try:
        key = session.get_key(
            object_class=ObjectClass.SECRET_KEY, label=f"{hsm_store.prefix}/kek/v1"
        )
        with pytest.raises(pkcs11.exceptions.AttributeSensitive):
            key[Attribute.VALUE]
        wrapper = session.generate_key(pkcs11.KeyType.AES, 256, store=False,
                                       template={Attribute.WRAP: True})  # fmt: skip
        with pytest.raises(pkcs11.exceptions.PKCS11Error):
            wrapper.wrap_key(key, mechanism=Mechanism.AES_KEY_WRAP_PAD)
    finally:
        session.close()


def test_other_keys_are_sealed_on_disk(hsm_store: Pkcs11KeyStore, tmp_path: Path) -> None:
    index = hsm_store.create("index")
    blob = (tmp_path / "hsm-keys" / "index.v1.key").read_bytes()
    assert blob.startswith(SEALED_MAGIC) and index.material not in blob
    # a fresh store on the same token and directory unseals it
    again = Pkcs11KeyStore(hsm_store.config, tmp_path / "hsm-keys")
    assert again.current("index") == index
    # altered, or plain (copied from a file store), it is refused with a clear error
    path = tmp_path / "hsm-keys" / "index.v1.key"
    path.write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))
    fresh = Pkcs11KeyStore(hsm_store.config, tmp_path / "hsm-keys")
    with pytest.raises(KeyStoreUnavailable, match="does not open"):
        fresh.current("index")
    path.write_bytes(index.material)
    with pytest.raises(ConfigError, match="holds plain key files"):
        Pkcs11KeyStore(hsm_store.config, tmp_path / "hsm-keys")
    again.close()
    fresh.close()


def test_keys_of_another_prefix_are_not_seen(softhsm: SoftHsm, tmp_path: Path) -> None:
    a = Pkcs11KeyStore(parse_pkcs11_uri(softhsm.uri("pa"), "vn-hcm"), tmp_path / "a")
    b = Pkcs11KeyStore(parse_pkcs11_uri(softhsm.uri("pb"), "vn-hcm"), tmp_path / "b")
    a.rotate("kek")
    a.rotate("kek")
    assert [v.key_id for v in b.versions("kek")] == []
    assert b.create("kek").key_id == "kek:1"
    a.close()
    b.close()


def test_pin_from_a_file(softhsm: SoftHsm, tmp_path: Path) -> None:
    pin = tmp_path / "pin"
    pin.write_text(softhsm.pin + "\n")
    uri = (
        f"pkcs11:token={softhsm.label};object=pf?module-path={softhsm.module}&pin-source=file:{pin}"
    )
    store = Pkcs11KeyStore(parse_pkcs11_uri(uri, "vn-hcm"), tmp_path / "k")
    assert store.create("kek").key_id == "kek:1"
    store.close()


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("pkcs11:token=t?module-path=/m.so&pin-value=1234", "pin-value is refused"),
        ("pkcs11:token=t?pin-env=X", "module-path is required"),
        ("pkcs11:?module-path=/m.so&pin-env=X", "name the token"),
        ("pkcs11:token=t?module-path=/m.so", "exactly one of pin-env"),
        ("pkcs11:token=t;colour=red?module-path=/m.so&pin-env=X", "unknown PKCS#11 URI"),
        ("pkcs11:slot-id=x?module-path=/m.so&pin-env=X", "slot-id must be"),
        ("pkcs11:token=t?module-path=/m.so&pin-env=ONSHORE_PIN", "outside the ONSHORE_"),
    ],
)
def test_bad_uris_name_the_problem(uri: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        parse_pkcs11_uri(uri, "vn-hcm")
    assert info.value.code == "config.invalid"


def test_a_missing_pin_variable_is_a_config_error(softhsm: SoftHsm, tmp_path: Path) -> None:
    cfg = parse_pkcs11_uri(softhsm.uri(pin_env="NO_SUCH_HSM_PIN"), "vn-hcm")
    with pytest.raises(ConfigError, match="NO_SUCH_HSM_PIN is not set"):
        Pkcs11KeyStore(cfg, tmp_path / "k", env={})


def test_a_missing_token_or_library_is_unavailable(softhsm: SoftHsm, tmp_path: Path) -> None:
    env = {PIN_ENV: softhsm.pin}
    cfg = parse_pkcs11_uri(
        f"pkcs11:token=no-such-token?module-path={softhsm.module}&pin-env={PIN_ENV}", "vn-hcm"
    )
    with pytest.raises(KeyStoreUnavailable, match="cannot open token"):
        Pkcs11KeyStore(cfg, tmp_path / "k", env=env)


def test_settings_refuse_a_pin_in_the_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="never write the HSM PIN"):
        hsm_settings(tmp_path, "pkcs11:token=t?module-path=/m.so&pin-value=1234")
    with pytest.raises(ValueError, match="file or pkcs11"):
        hsm_settings(tmp_path, "vault://somewhere")


# python-pkcs11's object-search iterator reports the dead session again when collected
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_dropped_session_is_reopened(hsm_store: Pkcs11KeyStore) -> None:
    kek = hsm_store.create("kek")
    data_key = b"k" * 32
    wrapped = wrap_key(data_key, "vn-hcm", kek)
    hsm_store._token._session.close()  # as after an HSM restart: the handle is gone
    assert unwrap_key(wrapped, "vn-hcm", hsm_store.get("kek:1")) == data_key
    assert hsm_store.rotate("kek").key_id == "kek:2"


def test_a_file_region_moves_into_the_hsm(softhsm: SoftHsm, tmp_path: Path) -> None:
    from onshore.services.hsm_migration import move_keys_to_hsm

    file_settings = hsm_settings(tmp_path, "file")
    with Vault.open(file_settings, create_keys=True) as vault:
        ids = [vault.put(f"u{i}", "profile", {"phone": f"+8491200000{i}"}).record_id
               for i in range(3)]  # fmt: skip
        vault.runtime.regions["vn-hcm"].keys.rotate("kek")
        ids.append(vault.put("u9", "profile", {"phone": "+84912000009"}).record_id)
        old_vkey = vault.ledger("vn-hcm").verifier_key()
    uri = softhsm.uri()
    with pytest.raises(ConfigError, match="keys move-to-hsm vn-hcm"):
        Vault.open(hsm_settings(tmp_path, uri))  # plain files never pass for sealed ones
    report = move_keys_to_hsm(hsm_settings(tmp_path, uri), "vn-hcm", stamp="t1")
    assert set(report.versions) >= {"kek:1", "kek:2", "index:1", "ledger-signing:1"}
    assert (report.plain_backup / "kek.v1.key").exists()
    keys_dir = tmp_path / "data" / "vn-hcm" / "keys"
    assert not (keys_dir / "kek.v1.key").exists()
    with Vault.open(hsm_settings(tmp_path, uri)) as vault:
        keys = vault.runtime.regions["vn-hcm"].keys
        assert isinstance(keys, Pkcs11KeyStore)
        assert keys.kek_attributes(2)["extractable"] is False
        assert [vault.get(i).data["phone"] for i in ids[:1]] == ["+84912000000"]
        assert [r.record_id for r in vault.find(by={"phone_number": "0912000009"})] == [ids[3]]
        log = vault.ledger("vn-hcm")
        assert log.verifier_key() == old_vkey and log.verify().ok
        verify_bundle(log.prove(ids[0]), old_vkey)
    with pytest.raises(ConfigError, match="already sealed"):
        move_keys_to_hsm(hsm_settings(tmp_path, uri), "vn-hcm", stamp="t2")


def test_an_hsm_that_ignores_the_callers_gcm_nonce_is_refused(
    hsm_store: Pkcs11KeyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    kek = hsm_store.create("kek")
    real = pkcs11.mechanisms.GCMParams
    calls: list[bytes] = []

    def hsm_generated_iv(nonce: bytes, aad: bytes | None = None, tag_bits: int = 128) -> Any:
        # the first call (the encryption) gets an IV of the "HSM's" choosing, as some FIPS
        # modes do; the caller still stores its own nonce beside the ciphertext
        calls.append(nonce)
        return real(secrets.token_bytes(12) if len(calls) == 1 else nonce, aad, tag_bits)

    monkeypatch.setattr(pkcs11.mechanisms, "GCMParams", hsm_generated_iv)
    with pytest.raises(KeyStoreUnavailable, match="caller's AES-GCM nonce"):
        wrap_key(b"k" * 32, "vn-hcm", kek)
    assert len(calls) == 2  # the encryption and the self-test's decryption
